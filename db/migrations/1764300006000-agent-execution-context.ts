import { MigrationInterface, QueryRunner } from 'typeorm';

/** agent-execution's view of each simulation (its settings and project) and of each team. */
export class AgentExecutionContext1764300006000 implements MigrationInterface {
  name = 'AgentExecutionContext1764300006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ae_simulations (
        simulation_id uuid PRIMARY KEY,
        started       jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE ae_teams (
        simulation_id uuid  NOT NULL,
        team_id       text  NOT NULL,
        team          jsonb NOT NULL,
        PRIMARY KEY (simulation_id, team_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ae_teams, ae_simulations`);
  }
}
