import { throwError, TimeoutError, Observable } from 'rxjs';
import { createEventRegistry, SweSimError } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, TestDatabase } from '@swe-sim/testing';
import { EventStoreClient } from '@swe-sim/transport';
import { appendSyntheticHistory } from '../simulation-state/synthetic-history';
import { ExecInWorkspaceHandler } from './exec-in-workspace.handler';

/** sandbox-control as project-management's transport client sees it: one answer to every request. */
const sandboxControlAnswering = (answer: () => Observable<never>) => ({ send: answer }) as unknown as EventStoreClient;

describe(ExecInWorkspaceHandler.name, () => {
  let db: TestDatabase;
  let store: EventStore;
  let simulationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry() });
    ({ simulationId } = await appendSyntheticHistory(store, { events: 50, features: 2, seed: 4 }));
  });
  afterAll(() => db.drop());

  it('answers 503 SANDBOX_UNAVAILABLE, with sandbox-control\'s code, when it refuses the exec', async () => {
    const sut = new ExecInWorkspaceHandler(store, sandboxControlAnswering(() => throwError(() => new SweSimError('SANDBOX_CAPACITY', 'no free slot'))));
    const err = await sut.execute(simulationId, 'repo', { cmd: 'ls', timeoutMs: 1000 }).catch((e) => e);
    expect(err.getStatus()).toBe(503);
    expect(err.getResponse()).toMatchObject({ code: 'SANDBOX_UNAVAILABLE', details: { sandboxCode: 'SANDBOX_CAPACITY', sandboxId: expect.stringMatching(/^exec-/) } });
  });

  it('answers 504 SANDBOX_TIMEOUT when sandbox-control does not answer in time', async () => {
    for (const silence of [() => throwError(() => new TimeoutError()), () => throwError(() => new SweSimError('RPC_TIMEOUT', 'no reply'))]) {
      const sut = new ExecInWorkspaceHandler(store, sandboxControlAnswering(silence));
      const err = await sut.execute(simulationId, 'repo', { cmd: 'ls', timeoutMs: 1000 }).catch((e) => e);
      expect(err.getStatus()).toBe(504);
      expect(err.getResponse()).toMatchObject({ code: 'SANDBOX_TIMEOUT' });
    }
  });

  it("finds a simulation and its teams as soon as they commit, while an older transaction is still open", async () => {
    const older = await db.pool.connect();
    await older.query('BEGIN');
    await older.query('SELECT txid_current()');
    try {
      const { simulationId: fresh } = await appendSyntheticHistory(store, { events: 50, features: 2, seed: 5 });
      const sut = new ExecInWorkspaceHandler(store, sandboxControlAnswering(() => throwError(() => new SweSimError('SANDBOX_CAPACITY', 'no free slot'))));
      const err = await sut.execute(fresh, 'team-1', { cmd: 'ls', timeoutMs: 1000 }).catch((e) => e);
      expect(err.getResponse()).toMatchObject({ code: 'SANDBOX_UNAVAILABLE' }); // asked sandbox-control: not a 404
    } finally {
      await older.query('ROLLBACK');
      older.release();
    }
  });
});
