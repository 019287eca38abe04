import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * sandbox-control learns when the owners of its sandboxes end, so that the reaper removes a
 * sandbox nobody will release (a task that ended or was suspended, a simulation that ended):
 * - sc_sandboxes gains the owner task (SandboxRequested.ownerTaskId) and the global position of the
 *   request, so that only sandboxes requested before an end go (a task resumed after a suspension,
 *   a simulation resumed after a failure, an exec on an ended simulation make new ones that stay);
 * - sc_owner_ends: per task or simulation, the position of its last end event (written by the
 *   subscription in the transaction of its checkpoint).
 * The simulations and tasks that ended before this migration are filled in from the log, so that
 * the sandboxes they left (rows without a request position count as requested before any end)
 * are reaped on the first pass after the upgrade instead of at their TTL.
 */
export class SandboxControlOwnerEnds1764300014700 implements MigrationInterface {
  name = 'SandboxControlOwnerEnds1764300014700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sc_sandboxes ADD COLUMN owner_task_id text NULL, ADD COLUMN request_position bigint NULL`);
    await q.query(`
      CREATE TABLE sc_owner_ends (
        owner_kind     text   NOT NULL CHECK (owner_kind IN ('task', 'simulation')),
        owner_id       text   NOT NULL,
        simulation_id  uuid   NULL,
        ended_position bigint NOT NULL,
        end_type       text   NOT NULL,
        PRIMARY KEY (owner_kind, owner_id)
      )`);
    await q.query(`
      INSERT INTO sc_owner_ends (owner_kind, owner_id, simulation_id, ended_position, end_type)
      SELECT DISTINCT ON (data->>'simulationId') 'simulation', data->>'simulationId', simulation_id, global_position, type
      FROM events WHERE type IN ('SimulationCompleted', 'SimulationFailed', 'SimulationCancelled') AND data ? 'simulationId'
      ORDER BY data->>'simulationId', global_position DESC`);
    await q.query(`
      INSERT INTO sc_owner_ends (owner_kind, owner_id, simulation_id, ended_position, end_type)
      SELECT DISTINCT ON (data->>'taskId') 'task', data->>'taskId', simulation_id, global_position, type
      FROM events WHERE type IN ('AgentTaskEnded', 'AgentTaskSuspended') AND data ? 'taskId'
      ORDER BY data->>'taskId', global_position DESC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sc_owner_ends`);
    await q.query(`ALTER TABLE sc_sandboxes DROP COLUMN owner_task_id, DROP COLUMN request_position`);
  }
}
