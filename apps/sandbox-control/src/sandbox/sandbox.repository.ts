import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { Queryable } from '@swe-sim/event-store';
import { PG_POOL } from '@swe-sim/service-runtime';
import { FileChange } from './sandbox.decider';

export interface SandboxRow {
  sandboxId: string;
  simulationId: string;
  teamId: string | null;
  workspaceId: string;
  workspacePath: string;
  image: string;
  engine: string;
  containerName: string;
  instanceId: string;
  status: 'created' | 'destroyed';
  expiresAt: Date;
  createdAt: Date;
  /** The agent task it works for (SandboxRequested.ownerTaskId): its end or suspension lets the reaper remove it. */
  ownerTaskId: string | null;
  /** Global position of the request that made it: only an owner's end after it removes it (null: made before this was kept). */
  requestPosition: number | null;
}

export interface OpenCommandRun {
  requestId: string;
  sandboxId: string;
  instanceId: string;
  startedAt: Date;
}

const toRow = (r: any): SandboxRow => ({
  sandboxId: r.sandbox_id,
  simulationId: r.simulation_id,
  teamId: r.team_id,
  workspaceId: r.workspace_id,
  workspacePath: r.workspace_path,
  image: r.image,
  engine: r.engine,
  containerName: r.container_name,
  instanceId: r.instance_id,
  status: r.status,
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  ownerTaskId: r.owner_task_id ?? null,
  requestPosition: r.request_position === null || r.request_position === undefined ? null : Number(r.request_position),
});

/** All of sandbox-control's SQL (tables sc_*). Writes take the transaction that appends the events. */
@Injectable()
export class SandboxRepository {
  constructor(@Inject(PG_POOL) readonly pool: Pool) {}

  // ------------------------------------------------------------ sandboxes

  async insertSandbox(db: Queryable, row: Omit<SandboxRow, 'status'>): Promise<void> {
    await db.query(
      `INSERT INTO sc_sandboxes (sandbox_id, simulation_id, team_id, workspace_id, workspace_path, image, engine, container_name,
                                 instance_id, status, created_at, expires_at, owner_task_id, request_position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'created', $10, $11, $12, $13)
       ON CONFLICT (sandbox_id) DO UPDATE SET status = 'created', instance_id = EXCLUDED.instance_id, expires_at = EXCLUDED.expires_at,
         destroyed_at = NULL, destroy_reason = NULL, owner_task_id = EXCLUDED.owner_task_id, request_position = EXCLUDED.request_position`,
      [row.sandboxId, row.simulationId, row.teamId, row.workspaceId, row.workspacePath, row.image, row.engine, row.containerName,
        row.instanceId, row.createdAt, row.expiresAt, row.ownerTaskId, row.requestPosition],
    );
  }

  async markDestroyed(db: Queryable, sandboxId: string, reason: string): Promise<void> {
    await db.query(
      `UPDATE sc_sandboxes SET status = 'destroyed', destroy_reason = $2, destroyed_at = now() WHERE sandbox_id = $1 AND status = 'created'`,
      [sandboxId, reason],
    );
  }

  async findSandbox(sandboxId: string, db: Queryable = this.pool): Promise<SandboxRow | null> {
    const r = await db.query(`SELECT * FROM sc_sandboxes WHERE sandbox_id = $1`, [sandboxId]);
    return r.rowCount ? toRow(r.rows[0]) : null;
  }

  /** Rows for the given sandbox ids (the reaper's question: does anyone know this container?). */
  async findSandboxes(sandboxIds: readonly string[]): Promise<Map<string, SandboxRow>> {
    if (sandboxIds.length === 0) return new Map();
    const r = await this.pool.query(`SELECT * FROM sc_sandboxes WHERE sandbox_id = ANY($1::text[])`, [sandboxIds]);
    return new Map(r.rows.map((row) => [row.sandbox_id, toRow(row)]));
  }

  async liveSandboxes(engines: readonly string[]): Promise<SandboxRow[]> {
    const r = await this.pool.query(`SELECT * FROM sc_sandboxes WHERE status = 'created' AND engine = ANY($1::text[])`, [engines]);
    return r.rows.map(toRow);
  }

  async adopt(sandboxIds: readonly string[], instanceId: string): Promise<void> {
    if (sandboxIds.length === 0) return;
    await this.pool.query(`UPDATE sc_sandboxes SET instance_id = $2 WHERE sandbox_id = ANY($1::text[]) AND status = 'created'`, [
      sandboxIds,
      instanceId,
    ]);
  }

  // ------------------------------------------------------------ workspace manifests

  /** Serialises manifest changes of one workspace across transactions (and instances). */
  async lockWorkspace(db: Queryable, workspaceId: string): Promise<void> {
    await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('sc-workspace:' || $1, 0))`, [workspaceId]);
  }

  async manifest(workspaceId: string, db: Queryable = this.pool): Promise<Map<string, string>> {
    const r = await db.query(`SELECT path, hash FROM sc_workspace_files WHERE workspace_id = $1`, [workspaceId]);
    return new Map(r.rows.map((row) => [row.path as string, row.hash as string]));
  }

  async applyChanges(db: Queryable, workspaceId: string, changes: ReadonlyArray<FileChange & { size?: number }>): Promise<void> {
    const upserts = changes.filter((c) => c.hash !== null);
    const deletes = changes.filter((c) => c.hash === null).map((c) => c.path);
    if (upserts.length) {
      await db.query(
        `INSERT INTO sc_workspace_files (workspace_id, path, hash, size)
         SELECT $1, u.path, u.hash, u.size FROM unnest($2::text[], $3::text[], $4::bigint[]) AS u(path, hash, size)
         ON CONFLICT (workspace_id, path) DO UPDATE SET hash = EXCLUDED.hash, size = EXCLUDED.size`,
        [workspaceId, upserts.map((c) => c.path), upserts.map((c) => c.hash), upserts.map((c) => c.size ?? 0)],
      );
    }
    if (deletes.length) {
      await db.query(`DELETE FROM sc_workspace_files WHERE workspace_id = $1 AND path = ANY($2::text[])`, [workspaceId, deletes]);
    }
  }

  // ------------------------------------------------------------ command runs

  async startRun(requestId: string, sandboxId: string, instanceId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO sc_command_runs (request_id, sandbox_id, instance_id) VALUES ($1, $2, $3) ON CONFLICT (request_id) DO NOTHING`,
      [requestId, sandboxId, instanceId],
    );
  }

  async finishRun(db: Queryable, requestId: string, outcome: string): Promise<void> {
    await db.query(`UPDATE sc_command_runs SET finished_at = now(), outcome = $2 WHERE request_id = $1 AND finished_at IS NULL`, [
      requestId,
      outcome,
    ]);
  }

  /** Runs left open by instances that are gone: this instance's earlier life, or instances whose heartbeat stopped. */
  async interruptedRuns(instanceId: string, startedBefore: Date, staleBefore: Date): Promise<OpenCommandRun[]> {
    const r = await this.pool.query(
      `SELECT c.request_id, c.sandbox_id, c.instance_id, c.started_at FROM sc_command_runs c
       LEFT JOIN sc_instances i ON i.instance_id = c.instance_id
       WHERE c.finished_at IS NULL
         AND ((c.instance_id = $1 AND c.started_at < $2) OR (c.instance_id <> $1 AND (i.heartbeat_at IS NULL OR i.heartbeat_at < $3)))
       ORDER BY c.started_at`,
      [instanceId, startedBefore, staleBefore],
    );
    return r.rows.map((row) => ({ requestId: row.request_id, sandboxId: row.sandbox_id, instanceId: row.instance_id, startedAt: row.started_at }));
  }

  // ------------------------------------------------------------ instances

  async registerInstance(instanceId: string, startedAt: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO sc_instances (instance_id, started_at, heartbeat_at) VALUES ($1, $2, now())
       ON CONFLICT (instance_id) DO UPDATE SET started_at = EXCLUDED.started_at, heartbeat_at = now()`,
      [instanceId, startedAt],
    );
  }

  async heartbeat(instanceId: string): Promise<void> {
    await this.pool.query(`UPDATE sc_instances SET heartbeat_at = now() WHERE instance_id = $1`, [instanceId]);
  }

  /** Every instance this deployment has known, with whether its heartbeat is recent. */
  async instances(staleBefore: Date): Promise<Map<string, boolean>> {
    const r = await this.pool.query(`SELECT instance_id, heartbeat_at >= $1 AS live FROM sc_instances`, [staleBefore]);
    return new Map(r.rows.map((row) => [row.instance_id as string, row.live as boolean]));
  }
}
