import { MigrationInterface, QueryRunner } from 'typeorm';

/** project-management's roster: personas registered through POST /roster (the default roster ships in code). */
export class ProjectManagementPersonas1764300011000 implements MigrationInterface {
  name = 'ProjectManagementPersonas1764300011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_personas (
        persona_id    text PRIMARY KEY,
        persona       jsonb       NOT NULL,
        registered_at timestamptz NOT NULL,
        last_position bigint      NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_personas`);
  }
}
