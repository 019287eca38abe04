import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * project-management's experiments: each experiment as its stream folds (pm_experiments) and each
 * run's current attempt with, once counted, its metrics (pm_experiment_runs) — what results read.
 */
export class ProjectManagementExperiments1764300017000 implements MigrationInterface {
  name = 'ProjectManagementExperiments1764300017000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_experiments (
        experiment_id uuid        PRIMARY KEY,
        name          text        NOT NULL,
        status        text        NOT NULL,
        definition    jsonb       NOT NULL,
        tokens_used   bigint      NOT NULL DEFAULT 0,
        created_at    timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL,
        last_position bigint      NOT NULL
      )`);
    await q.query(`CREATE INDEX pm_experiments_list ON pm_experiments (created_at DESC, experiment_id DESC)`);
    await q.query(`
      CREATE TABLE pm_experiment_runs (
        experiment_id uuid    NOT NULL,
        run_id        text    NOT NULL,
        ord           int     NOT NULL,
        variant       text    NOT NULL,
        seed          bigint  NOT NULL,
        project_id    uuid    NOT NULL,
        status        text    NOT NULL,
        attempt       int     NOT NULL,
        simulation_id uuid,
        retries       int     NOT NULL,
        resumptions   int     NOT NULL,
        outcome       text,
        counted       boolean NOT NULL,
        tokens        bigint  NOT NULL,
        metrics       jsonb,
        PRIMARY KEY (experiment_id, run_id)
      )`);
    await q.query(`CREATE INDEX pm_experiment_runs_simulation ON pm_experiment_runs (simulation_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_experiment_runs`);
    await q.query(`DROP TABLE pm_experiments`);
  }
}
