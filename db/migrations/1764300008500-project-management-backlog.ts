import { MigrationInterface, QueryRunner } from 'typeorm';

/** project-management shows each project's backlog: given (ready), being decomposed (pending), or failed. */
export class ProjectManagementBacklog1764300008500 implements MigrationInterface {
  name = 'ProjectManagementBacklog1764300008500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE pm_projects
        ADD COLUMN backlog_source  text  NOT NULL DEFAULT 'user',
        ADD COLUMN backlog_status  text  NOT NULL DEFAULT 'ready',
        ADD COLUMN backlog         jsonb NOT NULL DEFAULT '[]',
        ADD COLUMN backlog_failure jsonb NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE pm_projects DROP COLUMN backlog_source, DROP COLUMN backlog_status, DROP COLUMN backlog, DROP COLUMN backlog_failure`);
  }
}
