import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * project-management's snapshots of GET /simulations/:id/state: the fold's state every N events of
 * a simulation, so a state at a position folds from the nearest snapshot instead of the start.
 * Keyed by the fold's version: a snapshot of other code is never used (and is deleted when a
 * snapshot of the current code is written).
 */
export class ProjectManagementStateSnapshots1764300013000 implements MigrationInterface {
  name = 'ProjectManagementStateSnapshots1764300013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE pm_simulation_state_snapshots (
        simulation_id uuid        NOT NULL,
        fold_version  text        NOT NULL,
        -- the last event folded in, and how many of the simulation's events that makes
        position      bigint      NOT NULL,
        events        integer     NOT NULL,
        -- json, not jsonb: the fold's output follows its objects' key order (jsonb would sort the keys)
        state         json        NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (simulation_id, fold_version, position)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pm_simulation_state_snapshots`);
  }
}
