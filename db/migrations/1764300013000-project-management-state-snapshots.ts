import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * project-management's snapshots of GET /simulations/:id/state: the fold's state every N events of
 * a simulation, so a state at a position folds from the nearest snapshot instead of the start.
 * Keyed by the fold's version: a snapshot of other code is never used (and is deleted when a
 * snapshot of the current code is written).
 *
 * And the index a simulation's history page needs (GET /simulations/:id/events: readAll with a
 * simulation, in commit order): without it Postgres reads the simulation's remaining events and
 * sorts them, or walks the whole log's commit order, for every page (EXPLAIN in bench/history.bench.ts).
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
    await q.query(`CREATE INDEX events_by_simulation_commit_order ON events (simulation_id, transaction_id, global_position) WHERE simulation_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_by_simulation_commit_order`);
    await q.query(`DROP TABLE pm_simulation_state_snapshots`);
  }
}
