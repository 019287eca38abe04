import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * project-management's API keys get their rate bucket and last use: every process updates the same
 * row in one statement per request, so the limit holds across processes (ApiKeysRepository.authenticate).
 */
export class ProjectManagementApiKeyUsage1764300012000 implements MigrationInterface {
  name = 'ProjectManagementApiKeyUsage1764300012000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE pm_api_keys
        ADD COLUMN rate_tokens  double precision NULL,
        ADD COLUMN rate_at      timestamptz      NULL,
        ADD COLUMN rate_granted boolean          NULL,
        ADD COLUMN last_used_at timestamptz      NULL`);
    await q.query(`CREATE INDEX pm_api_keys_list ON pm_api_keys (created_at DESC, key_id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX pm_api_keys_list`);
    await q.query(`ALTER TABLE pm_api_keys DROP COLUMN rate_tokens, DROP COLUMN rate_at, DROP COLUMN rate_granted, DROP COLUMN last_used_at`);
  }
}
