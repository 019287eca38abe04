import { MigrationInterface, QueryRunner } from 'typeorm';

/** GET /projects and GET /simulations page newest first by (time, id). */
export class ProjectManagementListOrder1764300010000 implements MigrationInterface {
  name = 'ProjectManagementListOrder1764300010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX pm_projects_by_created ON pm_projects (created_at DESC, project_id DESC)`);
    await q.query(`CREATE INDEX pm_simulations_by_started ON pm_simulations (started_at DESC, simulation_id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX pm_simulations_by_started`);
    await q.query(`DROP INDEX pm_projects_by_created`);
  }
}
