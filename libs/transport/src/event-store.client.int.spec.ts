import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { z } from 'zod';
import { RpcReplied, createEventRegistry, defineEvent, rpcStream } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, eventually, TestDatabase } from '@swe-sim/testing';
import { EventRecord } from './event-record';
import { EventStoreClient } from './event-store.client';

const Asked = defineEvent({ type: 'TestAsked', version: 1, schema: z.object({ q: z.string() }).strict() });

describe(EventStoreClient.name, () => {
  let db: TestDatabase;
  let store: EventStore;
  let sut: EventStoreClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry([Asked]) });
  });
  beforeEach(async () => {
    sut = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'asker', replyPollMs: 100, requestTimeoutMs: 10_000 });
    await sut.connect();
  });
  afterEach(() => sut.close());
  afterAll(() => db.drop());

  /** Plays the answering service: waits for the request, then appends its reply. */
  const answer = async (requestId: string, response: unknown) => {
    await eventually(async () => (await store.streamVersion(rpcStream(requestId))) === 1);
    await store.append(rpcStream(requestId), [{ type: RpcReplied.type, data: { requestId, pattern: Asked.type, ok: true, response } }], { expectedVersion: 1 });
  };
  const listenerPids = async () =>
    (await db.pool.query("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%'", [db.name])).rows.map((r) => r.pid as number);

  it('still gets its reply when its LISTEN connection dies, and listens again', async () => {
    const [listener] = await listenerPids();
    expect(listener).toEqual(expect.any(Number));
    await db.pool.query('SELECT pg_terminate_backend($1)', [listener]);
    const requestId = randomUUID();
    const reply = lastValueFrom(sut.send(Asked.type, new EventRecord({ q: 'still there?' }, { eventId: requestId })));
    await answer(requestId, { a: 'yes' });
    await expect(reply).resolves.toEqual({ a: 'yes' });
    await eventually(async () => (await listenerPids()).some((pid) => pid !== listener));
  });
});
