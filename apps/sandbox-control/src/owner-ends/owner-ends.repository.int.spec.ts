import { randomUUID } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, TestDatabase } from '@swe-sim/testing';
import { SandboxControlOwnerEnds1764300014700 } from '../../../../db/migrations/1764300014700-sandbox-control-owner-ends';
import { SandboxRepository } from '../sandbox/sandbox.repository';
import { OwnerEndsRepository } from './owner-ends.repository';

/** Which live sandboxes the reaper takes for their owner's end: by position, against real Postgres. */
describe('OwnerEndsRepository (sc_owner_ends)', () => {
  let db: TestDatabase;
  let ends: OwnerEndsRepository;
  let sandboxes: SandboxRepository;
  const sim = randomUUID();
  const otherSim = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    ends = new OwnerEndsRepository(db.pool);
    sandboxes = new SandboxRepository(db.pool);
  });

  afterAll(async () => {
    await db?.drop();
  });

  beforeEach(async () => {
    await db.pool.query('TRUNCATE sc_sandboxes, sc_owner_ends');
  });

  const insert = (sandboxId: string, over: { simulationId?: string; ownerTaskId?: string | null; requestPosition?: number | null; engine?: string } = {}) =>
    sandboxes.insertSandbox(db.pool, {
      sandboxId,
      simulationId: over.simulationId ?? sim,
      teamId: null,
      workspaceId: `scratch/${sandboxId}`,
      workspacePath: `/tmp/${sandboxId}`,
      image: 'img',
      engine: over.engine ?? 'default',
      containerName: `swe-sim-sbx-${sandboxId}`,
      instanceId: 'sc-1',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 3_600_000),
      ownerTaskId: over.ownerTaskId === undefined ? null : over.ownerTaskId,
      requestPosition: over.requestPosition === undefined ? 100 : over.requestPosition,
    });
  const orphans = async (engines = ['default']) => (await ends.orphanedSandboxes(engines)).map((o) => [o.sandboxId, o.reason]).sort();

  it('takes the sandboxes requested before their task ended, not those requested after, nor other tasks’', async () => {
    await insert('before', { ownerTaskId: 't1', requestPosition: 10 });
    await insert('after', { ownerTaskId: 't1', requestPosition: 30 });
    await insert('other', { ownerTaskId: 't2', requestPosition: 10 });
    await insert('none', { requestPosition: 10 });
    await ends.recordEnd(db.pool, 'task', 't1', sim, 20, 'AgentTaskSuspended');
    expect(await orphans()).toEqual([['before', 'owner-ended']]);
    expect((await sandboxes.findSandbox('before'))).toMatchObject({ ownerTaskId: 't1', requestPosition: 10 });
  });

  it('keeps the latest end: a later one reaches newer sandboxes, an older or repeated one never moves it back', async () => {
    await insert('s1', { ownerTaskId: 't1', requestPosition: 30 });
    await ends.recordEnd(db.pool, 'task', 't1', sim, 20, 'AgentTaskSuspended');
    expect(await orphans()).toEqual([]);
    await ends.recordEnd(db.pool, 'task', 't1', sim, 40, 'AgentTaskEnded');
    await ends.recordEnd(db.pool, 'task', 't1', sim, 20, 'AgentTaskSuspended'); // re-delivered
    expect(await orphans()).toEqual([['s1', 'owner-ended']]);
    const row = await db.pool.query(`SELECT ended_position, end_type FROM sc_owner_ends WHERE owner_id = 't1'`);
    expect(row.rows).toEqual([{ ended_position: '40', end_type: 'AgentTaskEnded' }]);
  });

  it('takes every live sandbox of an ended simulation requested before its end (the task’s end named first), none destroyed, none elsewhere', async () => {
    await insert('a', { requestPosition: 10 });
    await insert('b', { ownerTaskId: 't9', requestPosition: 11 });
    await insert('exec-after', { requestPosition: 60 });
    await insert('legacy', { requestPosition: null }); // made before positions were kept: before any end
    await insert('gone', { requestPosition: 10 });
    await sandboxes.markDestroyed(db.pool, 'gone', 'released');
    await insert('elsewhere', { simulationId: otherSim, requestPosition: 10 });
    await insert('other-engine', { requestPosition: 10, engine: 'tcp://other:2375' });
    await ends.recordEnd(db.pool, 'simulation', sim, sim, 50, 'SimulationFailed');
    await ends.recordEnd(db.pool, 'task', 't9', sim, 49, 'AgentTaskSuspended');
    expect(await orphans()).toEqual([
      ['a', 'simulation-ended'],
      ['b', 'owner-ended'],
      ['legacy', 'simulation-ended'],
    ]);
    expect(await orphans(['tcp://other:2375'])).toEqual([['other-engine', 'simulation-ended']]);
  });

  it('the migration fills the ends already in the log (the last per owner)', async () => {
    const append = (type: string, streamId: string, data: object, simulationId: string) =>
      db.pool.query(
        `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, simulation_id, recorded_at)
         VALUES ($1, (SELECT count(*) + 1 FROM events WHERE stream_id = $1), $2, $3, 1, $4, '{}', $5, now()) RETURNING global_position`,
        [streamId, randomUUID(), type, JSON.stringify(data), simulationId],
      ).then((r) => Number(r.rows[0].global_position));
    await append('SimulationFailed', `simulation-${sim}`, { simulationId: sim }, sim);
    const lastSim = await append('SimulationCancelled', `simulation-${sim}`, { simulationId: sim }, sim);
    await append('AgentTaskSuspended', 'task-t5', { taskId: 't5' }, sim);
    const lastTask = await append('AgentTaskEnded', 'task-t5', { taskId: 't5' }, sim);
    await append('SimulationStarted', `simulation-${otherSim}`, { simulationId: otherSim }, otherSim);

    const migration = new SandboxControlOwnerEnds1764300014700();
    const runner = { query: (sql: string) => db.pool.query(sql) } as unknown as QueryRunner;
    await migration.down(runner);
    await migration.up(runner);
    const rows = await db.pool.query(`SELECT owner_kind, owner_id, simulation_id, ended_position::int AS p, end_type FROM sc_owner_ends ORDER BY owner_kind`);
    expect(rows.rows).toEqual([
      { owner_kind: 'simulation', owner_id: sim, simulation_id: sim, p: lastSim, end_type: 'SimulationCancelled' },
      { owner_kind: 'task', owner_id: 't5', simulation_id: sim, p: lastTask, end_type: 'AgentTaskEnded' },
    ]);
  });
});
