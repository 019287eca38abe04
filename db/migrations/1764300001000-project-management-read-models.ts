import { MigrationInterface, QueryRunner } from 'typeorm';

/** project-management's projections (its own tables; no other service reads them). */
export class ProjectManagementReadModels1764300001000 implements MigrationInterface {
  name = 'ProjectManagementReadModels1764300001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_projects (
        project_id      uuid PRIMARY KEY,
        name            text        NOT NULL,
        description     text        NOT NULL,
        goals           jsonb       NOT NULL,
        stack           text        NOT NULL,
        required_skills jsonb       NULL,
        created_at      timestamptz NOT NULL,
        last_position   bigint      NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_projects`);
  }
}
