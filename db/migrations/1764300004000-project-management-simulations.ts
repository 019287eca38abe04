import { MigrationInterface, QueryRunner } from 'typeorm';

/** project-management's simulations: the process state (a fold of its inputs) and a summary to list. */
export class ProjectManagementSimulations1764300004000 implements MigrationInterface {
  name = 'ProjectManagementSimulations1764300004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_simulations (
        simulation_id uuid PRIMARY KEY,
        project_id    uuid        NOT NULL,
        status        text        NOT NULL,
        process       jsonb       NOT NULL,
        started_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        last_position bigint      NOT NULL
      )`);
    await q.query(`CREATE INDEX pm_simulations_by_project ON pm_simulations (project_id, started_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_simulations`);
  }
}
