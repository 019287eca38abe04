import { Injectable } from '@nestjs/common';
import { EventData, MemberJoined, MemberMoved, PairFormed, TeamFormed } from '@swe-sim/contracts';
import { Queryable } from '@swe-sim/event-store';

/** team-formation's read model of teams, members and pairs per simulation (tf_teams, tf_team_members). */
@Injectable()
export class TeamsRepository {
  async teamFormed(db: Queryable, t: EventData<typeof TeamFormed>): Promise<void> {
    await db.query(
      `INSERT INTO tf_teams (simulation_id, team_id, name, features, uncovered_skills) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (simulation_id, team_id) DO NOTHING`,
      [t.simulationId, t.teamId, t.name, JSON.stringify(t.features), JSON.stringify(t.uncoveredSkills)],
    );
    for (const m of t.members)
      await db.query(
        `INSERT INTO tf_team_members (simulation_id, persona_id, team_id, name, role, seniority, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (simulation_id, persona_id) DO NOTHING`,
        [t.simulationId, m.personaId, t.teamId, m.name, m.role, m.seniority, m.reason],
      );
  }

  async pairFormed(db: Queryable, p: EventData<typeof PairFormed>): Promise<void> {
    for (const [personaId, role] of [
      [p.driver, 'driver'],
      [p.navigator, 'navigator'],
    ])
      await db.query(`UPDATE tf_team_members SET pair_id = $3, pair_role = $4 WHERE simulation_id = $1 AND persona_id = $2`, [p.simulationId, personaId, p.pairId, role]);
  }

  /** A moved member leaves its pair; pairs are re-formed for the team it joins. */
  async memberMoved(db: Queryable, m: EventData<typeof MemberMoved>): Promise<void> {
    await db.query(
      `UPDATE tf_team_members SET team_id = $3, reason = $4, pair_id = NULL, pair_role = NULL WHERE simulation_id = $1 AND persona_id = $2`,
      [m.simulationId, m.personaId, m.toTeamId, m.reason],
    );
  }

  async memberJoined(db: Queryable, j: EventData<typeof MemberJoined>): Promise<void> {
    const m = j.member;
    await db.query(
      `INSERT INTO tf_team_members (simulation_id, persona_id, team_id, name, role, seniority, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (simulation_id, persona_id) DO NOTHING`,
      [j.simulationId, m.personaId, j.teamId, m.name, m.role, m.seniority, m.reason],
    );
  }

  async teamsOf(db: Queryable, simulationId: string) {
    const teams = await db.query(`SELECT team_id, name, features, uncovered_skills FROM tf_teams WHERE simulation_id = $1 ORDER BY team_id`, [simulationId]);
    const members = await db.query(
      `SELECT team_id, persona_id, name, role, seniority, reason, pair_id, pair_role FROM tf_team_members WHERE simulation_id = $1 ORDER BY team_id, persona_id`,
      [simulationId],
    );
    return teams.rows.map((t) => ({
      teamId: t.team_id as string,
      name: t.name as string,
      features: t.features,
      uncoveredSkills: t.uncovered_skills,
      members: members.rows
        .filter((m) => m.team_id === t.team_id)
        .map((m) => ({ personaId: m.persona_id, name: m.name, role: m.role, seniority: m.seniority, reason: m.reason, pairId: m.pair_id, pairRole: m.pair_role })),
    }));
  }
}
