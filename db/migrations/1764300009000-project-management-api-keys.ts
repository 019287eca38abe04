import { MigrationInterface, QueryRunner } from 'typeorm';

/** project-management's API keys: only the sha256 of each key is stored; scopes read, write, admin. */
export class ProjectManagementApiKeys1764300009000 implements MigrationInterface {
  name = 'ProjectManagementApiKeys1764300009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_api_keys (
        key_id     uuid PRIMARY KEY,
        name       text        NOT NULL,
        key_hash   text        NOT NULL UNIQUE,
        scopes     text[]      NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_api_keys`);
  }
}
