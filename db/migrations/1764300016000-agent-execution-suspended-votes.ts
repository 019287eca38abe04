import { MigrationInterface, QueryRunner } from 'typeorm';

/** agent-execution's planning-poker votes suspended by infrastructure, asked again when their simulation is resumed. */
export class AgentExecutionSuspendedVotes1764300016000 implements MigrationInterface {
  name = 'AgentExecutionSuspendedVotes1764300016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ae_suspended_votes (
        simulation_id uuid  NOT NULL,
        request_id    uuid  NOT NULL,
        request       jsonb NOT NULL,
        PRIMARY KEY (simulation_id, request_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ae_suspended_votes`);
  }
}
