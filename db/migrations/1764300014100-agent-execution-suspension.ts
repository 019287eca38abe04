import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * agent-execution's view of a simulation stopped by infrastructure (SimulationFailed resumable):
 * its tasks suspend instead of ending, and each SimulationResumed re-runs the tasks suspended.
 */
export class AgentExecutionSuspension1764300014100 implements MigrationInterface {
  name = 'AgentExecutionSuspension1764300014100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ae_simulations ADD COLUMN suspended text NULL, ADD COLUMN resumptions integer NOT NULL DEFAULT 0`);
    await q.query(`
      CREATE TABLE ae_suspended_tasks (
        simulation_id uuid NOT NULL,
        task_id       text NOT NULL,
        PRIMARY KEY (simulation_id, task_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ae_suspended_tasks`);
    await q.query(`ALTER TABLE ae_simulations DROP COLUMN suspended, DROP COLUMN resumptions`);
  }
}
