import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';
import { EventRecord, EventStoreClient, RpcRemoteError, RpcTimeoutError } from '@swe-sim/transport';
import { TEST_EVENTS } from '../fixtures/test-events';

/** client.send() in this process, @MessagePattern in another: request and reply are both events. */
describe('request/response through the event store', () => {
  let db: TestDatabase;
  let store: EventStore;
  let sut: EventStoreClient;
  let echo: RunningService | undefined;

  const echoService = () =>
    startService('test/fixtures/echo-service.js', { DATABASE_URL: db.url, SERVICE_NAME: 'echo', SUBSCRIPTION_POLL_MS: '5000' });

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new EventStore(db.pool, { registry: createEventRegistry(TEST_EVENTS) });
    sut = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'test-client', requestTimeoutMs: 5000 });
    await sut.connect();
  });
  afterAll(async () => {
    await echo?.kill('SIGKILL');
    await sut.close();
    await db.drop();
  });

  it('answers a request from another process, recording request and reply as a correlated pair', async () => {
    echo = await echoService();
    const reply = await lastValueFrom(sut.send('TestSumRequested', { numbers: [1, 2, 39] }));
    expect(reply).toEqual({ sum: 42, pid: echo.child.pid });
    const rows = await db.pool.query(
      `SELECT stream_id, stream_version, type, data, metadata FROM events WHERE stream_id LIKE 'rpc-%' ORDER BY global_position`,
    );
    expect(rows.rows.map((r) => [r.stream_version, r.type])).toEqual([
      ['1', 'TestSumRequested'],
      ['2', 'RpcReplied'],
    ]);
    const [request, replied] = rows.rows;
    expect(replied.stream_id).toBe(request.stream_id);
    expect(replied.metadata.correlationId).toBe(request.metadata.correlationId);
    expect(replied.data).toMatchObject({ ok: true, response: { sum: 42 } });
  });

  it('handles many requests at once', async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => lastValueFrom(sut.send('TestSumRequested', { numbers: [i, 1] }))),
    );
    expect(replies.map((r) => r.sum)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('joins a request already stored when sent again with the same id (a re-run after a crash), answered once', async () => {
    const eventId = randomUUID();
    const first = await lastValueFrom(sut.send('TestSumRequested', new EventRecord({ numbers: [20, 1] }, { eventId })));
    const again = await lastValueFrom(sut.send('TestSumRequested', new EventRecord({ numbers: [20, 1] }, { eventId })));
    expect(again).toEqual(first);
    const rows = await db.pool.query(`SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`rpc-${eventId}`]);
    expect(rows.rows.map((r) => r.type)).toEqual(['TestSumRequested', 'RpcReplied']);
  });

  it('answers both when one client sends the same id twice before the reply', async () => {
    const eventId = randomUUID();
    const [a, b] = await Promise.all([
      lastValueFrom(sut.send('TestSumRequested', new EventRecord({ numbers: [40, 2] }, { eventId }))),
      lastValueFrom(sut.send('TestSumRequested', new EventRecord({ numbers: [40, 2] }, { eventId }))),
    ]);
    expect(a).toMatchObject({ sum: 42 });
    expect(b).toEqual(a);
    const rows = await db.pool.query(`SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version`, [`rpc-${eventId}`]);
    expect(rows.rows.map((r) => r.type)).toEqual(['TestSumRequested', 'RpcReplied']);
  });

  it("passes the handler's error code back", async () => {
    await expect(lastValueFrom(sut.send('TestFailRequested', { why: 'because' }))).rejects.toMatchObject({
      code: 'TEST_REFUSED',
      message: 'refused: because',
    });
    await expect(lastValueFrom(sut.send('TestFailRequested', { why: 'again' }))).rejects.toBeInstanceOf(RpcRemoteError);
  });

  it('refuses an invalid request before sending anything', async () => {
    await expect(lastValueFrom(sut.send('TestSumRequested', { numbers: 'many' }))).rejects.toMatchObject({
      code: 'EVENT_SCHEMA_INVALID',
      field: 'numbers',
    });
    await expect(lastValueFrom(sut.emit('NoSuchThing', {}))).rejects.toMatchObject({ code: 'EVENT_TYPE_UNKNOWN' });
  });

  it('emits events to the stream an EventRecord names', async () => {
    const [stored] = await lastValueFrom(sut.emit('TestTicked', new EventRecord({ n: 5 }, { streamId: 'ticks-x' })));
    expect(stored).toMatchObject({ streamId: 'ticks-x', streamVersion: 1, metadata: { actor: 'test-client' } });
    await expect(lastValueFrom(sut.emit('TestTicked', { n: 6 }))).rejects.toThrow(/names no stream/);
  });

  it('reports a request cut off by SIGKILL as interrupted after restart, and times out while nobody answers', async () => {
    const slow = lastValueFrom(sut.send('TestSleepRequested', { ms: 60_000 })).catch((e) => e);
    await eventually(async () => (await db.pool.query(`SELECT attempts FROM transport_inbox WHERE pattern = 'TestSleepRequested' AND attempts > 0`)).rowCount === 1);
    await echo!.kill('SIGKILL');
    expect(await slow).toBeInstanceOf(RpcTimeoutError);

    const waiting = lastValueFrom(sut.send('TestSumRequested', { numbers: [2, 2] }));
    echo = await echoService(); // the request written while the service was down is answered on restart
    expect(await waiting).toMatchObject({ sum: 4 });
    const interrupted = await eventually(async () => {
      const r = await db.pool.query(`SELECT data FROM events WHERE type = 'RpcReplied' AND data->>'pattern' = 'TestSleepRequested'`);
      return r.rows[0]?.data;
    });
    expect(interrupted).toMatchObject({ ok: false, error: { code: 'RPC_INTERRUPTED' } });
  });
});
