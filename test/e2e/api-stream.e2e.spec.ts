import { randomUUID } from 'node:crypto';
import { aProjectBody, createTestDatabase, eventually, RunningService, startService, TestDatabase } from '@swe-sim/testing';

interface Sse {
  id?: string;
  event?: string;
  data?: any;
}

/** Issue 6: GET /simulations/:id/events/stream — live server-sent events, resumable with Last-Event-ID. */
describe('project-management live event stream', () => {
  let db: TestDatabase;
  let pm: RunningService;
  const BOOT = `boot-${randomUUID()}`;
  const headers = { authorization: `Bearer ${BOOT}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => (await fetch(`${pm.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })).json() as Promise<any>;

  /** Opens a stream; `next(n)` resolves with the first n events received, `close()` hangs up. */
  const open = async (simulationId: string, extra: Record<string, string> = {}) => {
    const abort = new AbortController();
    const res = await fetch(`${pm.url}/simulations/${simulationId}/events/stream`, { headers: { ...headers, ...extra }, signal: abort.signal });
    const events: Sse[] = [];
    let buffer = '';
    const reading = (async () => {
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: Sse = {};
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(': ');
            if (field === 'id') e.id = rest.join(': ');
            if (field === 'event') e.event = rest.join(': ');
            if (field === 'data') e.data = JSON.parse(rest.join(': '));
          }
          if (e.data) events.push(e);
        }
      }
    })();
    return {
      res,
      events,
      next: (n: number, timeoutMs = 10_000) => eventually(async () => (events.length >= n ? events.slice(0, n) : undefined), timeoutMs, `${n} events`),
      close: async () => {
        abort.abort();
        await reading;
      },
    };
  };

  let simulationId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Polling every 5 s is the fallback: events arriving well within it were woken by NOTIFY.
    pm = await startService('project-management', { DATABASE_URL: db.url, SWE_SIM_API_KEY: BOOT, SUBSCRIPTION_POLL_MS: '5000' });
    const { projectId } = await post('/projects', aProjectBody());
    await eventually(async () => (await fetch(`${pm.url}/projects/${projectId}`, { headers })).ok, 10_000, 'project');
    simulationId = (await post(`/projects/${projectId}/simulations`, { seed: 7 })).simulationId;
  });
  afterAll(async () => {
    await pm?.kill();
    await db?.drop();
  });

  it('sends the history, then new events as they commit, and resumes after Last-Event-ID', async () => {
    const stream = await open(simulationId);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const [first] = await stream.next(1);
    expect(first).toMatchObject({ event: 'SimulationStarted', data: { type: 'SimulationStarted', streamId: `simulation-${simulationId}` } });
    const seen = stream.events.length;

    const asked = Date.now();
    await post(`/simulations/${simulationId}/cancel`, { reason: 'stream test' });
    const all = await stream.next(seen + 1, 4_000);
    expect(Date.now() - asked).toBeLessThan(4_000);
    await stream.close();

    const expected = (await db.pool.query(`SELECT event_id FROM events WHERE simulation_id = $1 ORDER BY transaction_id, global_position`, [simulationId])).rows.map((r) => r.event_id);
    expect(all.map((e) => e.data.eventId)).toEqual(expected.slice(0, all.length));
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);

    // Reconnecting with the first event's id sends what followed it, nothing twice.
    const resumed = await open(simulationId, { 'last-event-id': first.id! });
    const rest = await resumed.next(all.length - 1);
    expect(rest.map((e) => e.data.eventId)).toEqual(all.slice(1).map((e) => e.data.eventId));
    await resumed.close();

    // An SSE id is a cursor of the paged history too.
    const page = (await (await fetch(`${pm.url}/simulations/${simulationId}/events?after=${first.id}`, { headers })).json()) as any;
    expect(page.items.map((e: any) => e.eventId)).toEqual(expected.slice(1));
  });

  it('refuses a bad Last-Event-ID, an unknown simulation and a missing key with the usual error body', async () => {
    const bad = await fetch(`${pm.url}/simulations/${simulationId}/events/stream`, { headers: { ...headers, 'last-event-id': "'; DROP TABLE events;--" } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'Last-Event-ID' } });
    const future = Buffer.from('e1:9223372036854775000:0').toString('base64url');
    const beyond = await fetch(`${pm.url}/simulations/${simulationId}/events/stream`, { headers: { ...headers, 'last-event-id': future } });
    expect(await beyond.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'Last-Event-ID' } });
    expect((await fetch(`${pm.url}/simulations/${simulationId}/events/stream?after=${future}`, { headers })).status).toBe(400);
    const unknown = await fetch(`${pm.url}/simulations/${randomUUID()}/events/stream`, { headers });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.code).toBe('SIMULATION_NOT_FOUND');
    expect((await fetch(`${pm.url}/simulations/${simulationId}/events/stream`)).status).toBe(401);
  });

  it('ends open streams when the service stops', async () => {
    const stream = await open(simulationId);
    await stream.next(1);
    const stopped = Date.now();
    await pm.kill();
    await stream.close();
    expect(Date.now() - stopped).toBeLessThan(10_000);
  });
});
