import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * project-management's simulation slots (SIMULATIONS_MAX_RUNNING): which simulations run, which
 * wait (in the order they asked). Simulations running when the table appears keep their slot.
 */
export class ProjectManagementSimulationSlots1764300015000 implements MigrationInterface {
  name = 'ProjectManagementSimulationSlots1764300015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_simulation_slots (
        simulation_id uuid        PRIMARY KEY,
        project_id    uuid        NOT NULL,
        state         text        NOT NULL CHECK (state IN ('queued', 'running', 'free')),
        seq           bigint      NOT NULL,
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX pm_simulation_slots_waiting ON pm_simulation_slots (project_id, seq) WHERE state = 'queued'`);
    await q.query(`CREATE INDEX pm_simulation_slots_running ON pm_simulation_slots (project_id) WHERE state = 'running'`);
    await q.query(`
      INSERT INTO pm_simulation_slots (simulation_id, project_id, state, seq)
      SELECT simulation_id, project_id, 'running', last_position FROM pm_simulations
      WHERE status NOT IN ('completed', 'failed', 'cancelled')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_simulation_slots`);
  }
}
