import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { EventData, SimulationStarted, TeamFormed } from '@swe-sim/contracts';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';

export type SimulationContext = EventData<typeof SimulationStarted>;
export type TeamContext = EventData<typeof TeamFormed>;

/** SimulationStarted kept in memory for this many simulations (each one a project snapshot). */
const STARTED_CACHE_SIZE = 500;

/** ae_simulations and ae_teams: what agents need to know of their simulation and team. */
@Injectable()
export class SimulationContextRepository {
  private readonly started = new Map<string, SimulationContext>();

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async saveSimulation(db: Queryable, started: SimulationContext): Promise<void> {
    await db.query('INSERT INTO ae_simulations (simulation_id, started) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      started.simulationId,
      JSON.stringify(started),
    ]);
  }

  async saveTeam(db: Queryable, team: TeamContext): Promise<void> {
    await db.query('INSERT INTO ae_teams (simulation_id, team_id, team) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      team.simulationId,
      team.teamId,
      JSON.stringify(team),
    ]);
  }

  /** The member goes from one team's list to the other's (voters and prompts follow). */
  async memberMoved(db: Queryable, m: { simulationId: string; personaId: string; fromTeamId: string; toTeamId: string }): Promise<void> {
    const from = await this.team(m.simulationId, m.fromTeamId, db);
    const to = await this.team(m.simulationId, m.toTeamId, db);
    const member = from?.members.find((x) => x.personaId === m.personaId);
    if (!from || !to || !member || to.members.some((x) => x.personaId === m.personaId)) return;
    const save = (t: TeamContext) =>
      db.query('UPDATE ae_teams SET team = $3 WHERE simulation_id = $1 AND team_id = $2', [t.simulationId, t.teamId, JSON.stringify(t)]);
    await save({ ...from, members: from.members.filter((x) => x.personaId !== m.personaId) });
    await save({ ...to, members: [...to.members, member] });
  }

  async memberJoined(db: Queryable, j: { simulationId: string; teamId: string; member: TeamContext['members'][number] }): Promise<void> {
    const team = await this.team(j.simulationId, j.teamId, db);
    if (!team || team.members.some((x) => x.personaId === j.member.personaId)) return;
    await db.query('UPDATE ae_teams SET team = $3 WHERE simulation_id = $1 AND team_id = $2', [j.simulationId, j.teamId, JSON.stringify({ ...team, members: [...team.members, j.member] })]);
  }

  async markEnded(db: Queryable, simulationId: string, how: string): Promise<void> {
    await db.query('UPDATE ae_simulations SET ended = $2 WHERE simulation_id = $1 AND ended IS NULL', [simulationId, how]);
  }

  /**
   * Whether the simulation still runs: `ended` for good (completed, cancelled, failed by what the
   * agents did), or `suspended` (failed resumable: stopped by infrastructure) and how often it was resumed.
   */
  async runState(simulationId: string): Promise<{ ended: string | null; suspended: string | null; resumptions: number }> {
    const r = await this.pool.query('SELECT ended, suspended, resumptions FROM ae_simulations WHERE simulation_id = $1', [simulationId]);
    const row = r.rows[0];
    return { ended: row?.ended ?? null, suspended: row?.suspended ?? null, resumptions: row?.resumptions ?? 0 };
  }

  async markSuspended(db: Queryable, simulationId: string, how: string): Promise<void> {
    await db.query('UPDATE ae_simulations SET suspended = $2 WHERE simulation_id = $1 AND ended IS NULL', [simulationId, how]);
  }

  /** The simulation goes on: its suspended tasks, which the caller re-runs, are taken off the list. */
  async markResumed(db: Queryable, simulationId: string, resumption: number): Promise<string[]> {
    await db.query('UPDATE ae_simulations SET suspended = NULL, resumptions = GREATEST(resumptions, $2) WHERE simulation_id = $1', [simulationId, resumption]);
    const r = await db.query('DELETE FROM ae_suspended_tasks WHERE simulation_id = $1 RETURNING task_id', [simulationId]);
    return r.rows.map((x: { task_id: string }) => x.task_id).sort();
  }

  /** A vote suspended by infrastructure: its request, asked again (under a new id) on resume. */
  async voteSuspended(db: Queryable, simulationId: string, requestId: string, request: unknown): Promise<void> {
    await db.query('INSERT INTO ae_suspended_votes (simulation_id, request_id, request) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [simulationId, requestId, JSON.stringify(request)]);
  }

  /** The suspended votes of a resumed simulation, taken off the list (the caller asks them again). */
  async takeSuspendedVotes(db: Queryable, simulationId: string): Promise<{ requestId: string; request: Record<string, unknown> }[]> {
    const r = await db.query('DELETE FROM ae_suspended_votes WHERE simulation_id = $1 RETURNING request_id, request', [simulationId]);
    return r.rows.map((x: { request_id: string; request: Record<string, unknown> }) => ({ requestId: x.request_id, request: x.request })).sort((a, b) => a.requestId.localeCompare(b.requestId));
  }

  async taskSuspended(db: Queryable, simulationId: string, taskId: string): Promise<void> {
    await db.query('INSERT INTO ae_suspended_tasks (simulation_id, task_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [simulationId, taskId]);
  }

  /**
   * The simulation's SimulationStarted. It never changes once recorded, so it is kept in memory
   * (the most recent few hundred): every vote, task run and planning step asks for it.
   */
  async simulation(simulationId: string, db: Queryable = this.pool): Promise<SimulationContext | null> {
    const cached = this.started.get(simulationId);
    if (cached) return cached;
    const r = await db.query('SELECT started FROM ae_simulations WHERE simulation_id = $1', [simulationId]);
    if (!r.rowCount) return null;
    if (this.started.size >= STARTED_CACHE_SIZE) this.started.delete(this.started.keys().next().value!);
    this.started.set(simulationId, r.rows[0].started);
    return r.rows[0].started;
  }

  async team(simulationId: string, teamId: string, db: Queryable = this.pool): Promise<TeamContext | null> {
    const r = await db.query('SELECT team FROM ae_teams WHERE simulation_id = $1 AND team_id = $2', [simulationId, teamId]);
    return r.rowCount ? r.rows[0].team : null;
  }
}
