import { MigrationInterface, QueryRunner } from 'typeorm';

/** team-formation's teams, members and pairs per simulation (projected from formation-<simulationId>). */
export class TeamFormationTeams1764300005000 implements MigrationInterface {
  name = 'TeamFormationTeams1764300005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tf_teams (
        simulation_id    uuid  NOT NULL,
        team_id          text  NOT NULL,
        name             text  NOT NULL,
        features         jsonb NOT NULL,
        uncovered_skills jsonb NOT NULL,
        PRIMARY KEY (simulation_id, team_id)
      )`);
    await q.query(`
      CREATE TABLE tf_team_members (
        simulation_id uuid NOT NULL,
        persona_id    text NOT NULL,
        team_id       text NOT NULL,
        name          text NOT NULL,
        role          text NOT NULL,
        seniority     text NOT NULL,
        reason        text NOT NULL,
        pair_id       text,
        pair_role     text,
        PRIMARY KEY (simulation_id, persona_id)
      )`);
    await q.query(`CREATE INDEX tf_team_members_by_team ON tf_team_members (simulation_id, team_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tf_team_members`);
    await q.query(`DROP TABLE tf_teams`);
  }
}
