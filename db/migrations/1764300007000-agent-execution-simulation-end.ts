import { MigrationInterface, QueryRunner } from 'typeorm';

/** agent-execution learns that a simulation ended (completed, failed, cancelled): its tasks stop. */
export class AgentExecutionSimulationEnd1764300007000 implements MigrationInterface {
  name = 'AgentExecutionSimulationEnd1764300007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ae_simulations ADD COLUMN ended text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ae_simulations DROP COLUMN ended`);
  }
}
