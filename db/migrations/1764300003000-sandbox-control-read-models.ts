import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * sandbox-control's read models, written in the same transaction as the events they follow
 * (so they never lag the log): sandboxes, each workspace's last recorded manifest, commands in
 * flight (to find the ones a crash cut off), and the instances with their heartbeats.
 */
export class SandboxControlReadModels1764300003000 implements MigrationInterface {
  name = 'SandboxControlReadModels1764300003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sc_sandboxes (
        sandbox_id     text PRIMARY KEY,
        simulation_id  uuid        NOT NULL,
        team_id        text        NULL,
        workspace_id   text        NOT NULL,
        workspace_path text        NOT NULL,
        image          text        NOT NULL,
        engine         text        NOT NULL,
        container_name text        NOT NULL,
        instance_id    text        NOT NULL,
        status         text        NOT NULL CHECK (status IN ('created', 'destroyed')),
        destroy_reason text        NULL,
        created_at     timestamptz NOT NULL,
        expires_at     timestamptz NOT NULL,
        destroyed_at   timestamptz NULL
      )`);
    await q.query(`CREATE INDEX sc_sandboxes_live ON sc_sandboxes (engine) WHERE status = 'created'`);
    await q.query(`
      CREATE TABLE sc_workspace_files (
        workspace_id text NOT NULL,
        path         text NOT NULL,
        hash         text NOT NULL,
        size         bigint NOT NULL,
        PRIMARY KEY (workspace_id, path)
      )`);
    await q.query(`
      CREATE TABLE sc_command_runs (
        request_id  uuid PRIMARY KEY,
        sandbox_id  text        NOT NULL,
        instance_id text        NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz NULL,
        outcome     text        NULL
      )`);
    await q.query(`CREATE INDEX sc_command_runs_open ON sc_command_runs (instance_id) WHERE finished_at IS NULL`);
    await q.query(`
      CREATE TABLE sc_instances (
        instance_id  text PRIMARY KEY,
        started_at   timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sc_instances, sc_command_runs, sc_workspace_files, sc_sandboxes`);
  }
}
