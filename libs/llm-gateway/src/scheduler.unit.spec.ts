import type { Backend } from './backend';
import { LlmBackendUnavailableError, LlmCancelledError, LlmNoBackendForModelError } from './errors';
import { BackendScheduler, leastLoaded } from './scheduler';

const backend = (name: string, models: string[], maxInFlight: number) => ({ name, baseUrl: 'http://127.0.0.1:9/v1', models, maxInFlight });
/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('leastLoaded', () => {
  it('takes the lowest share of its bound in flight, skips full backends, and the first of equals', () => {
    const a = { name: 'a', inFlight: 2, maxInFlight: 4 };
    const b = { name: 'b', inFlight: 3, maxInFlight: 10 };
    const full = { name: 'full', inFlight: 1, maxInFlight: 1 };
    expect(leastLoaded([a, b, full])!.name).toBe('b');
    expect(leastLoaded([full])).toBeUndefined();
    expect(leastLoaded([{ name: 'x', inFlight: 1, maxInFlight: 2 }, { name: 'y', inFlight: 2, maxInFlight: 4 }])!.name).toBe('x');
  });
});

describe('BackendScheduler', () => {
  let s: BackendScheduler;
  afterEach(() => s?.close());

  it('refuses no backend or a duplicate name, and routes by model', async () => {
    expect(() => new BackendScheduler([])).toThrow(/at least one backend/);
    expect(() => new BackendScheduler([backend('x', ['m'], 1), backend('x', ['n'], 1)])).toThrow(/duplicate backend name "x"/);
    s = new BackendScheduler([backend('a', ['m', 'n'], 1), backend('b', ['m'], 1)]);
    expect(s.models()).toEqual({ m: ['a', 'b'], n: ['a'] });
    await expect(s.acquire('other', 'S')).rejects.toBeInstanceOf(LlmNoBackendForModelError);
  });

  it('holds at most maxInFlight per backend and queues the rest', async () => {
    s = new BackendScheduler([backend('a', ['m'], 2)]);
    const got: Backend[] = [];
    for (let i = 0; i < 5; i++) s.acquire('m', 'S').then((b) => got.push(b), () => undefined); // the rest are refused by close()
    await settle();
    expect(got).toHaveLength(2);
    expect(s.backends[0].inFlight).toBe(2);
    expect(s.queued).toBe(3);
    s.release(got[0]);
    await settle();
    expect(got).toHaveLength(3);
    expect(s.backends[0].inFlight).toBe(2);
    expect(s.queuedBySimulation()).toEqual({ S: 2 });
  });

  it('serves waiting simulations round robin: a late one is not stuck behind a backlog', async () => {
    s = new BackendScheduler([backend('a', ['m'], 1)]);
    const order: string[] = [];
    const first = await s.acquire('m', 'A');
    for (let i = 1; i <= 4; i++) void s.acquire('m', 'A').then(() => order.push(`A${i}`));
    for (let i = 1; i <= 2; i++) void s.acquire('m', 'B').then(() => order.push(`B${i}`));
    expect(s.queuedSimulations()).toBe(2);
    s.release(first);
    for (let i = 0; i < 6; i++) {
      await settle();
      s.release(s.backends[0]);
    }
    await settle();
    expect(order).toEqual(['A1', 'B1', 'A2', 'B2', 'A3', 'A4']);
  });

  it('sends a request to the least loaded backend of its model', async () => {
    s = new BackendScheduler([backend('a', ['m'], 2), backend('b', ['m'], 4)]);
    const names: string[] = [];
    for (let i = 0; i < 6; i++) names.push((await s.acquire('m', 'S')).name);
    expect(names).toEqual(['a', 'b', 'b', 'a', 'b', 'b']);
    expect(s.backends.map((b) => b.inFlight)).toEqual([2, 4]);
  });

  it('a cancelled waiter leaves the queue and is never given a slot', async () => {
    s = new BackendScheduler([backend('a', ['m'], 1)]);
    const held = await s.acquire('m', 'S');
    const ac = new AbortController();
    const waiting = s.acquire('m', 'S', ac.signal);
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(LlmCancelledError);
    expect(s.queued).toBe(0);
    s.release(held);
    expect(s.backends[0].inFlight).toBe(0);
    const already = new AbortController();
    already.abort();
    await expect(s.acquire('m', 'S', already.signal)).rejects.toThrow(/before it was sent/);
  });

  it('close rejects the waiters and every later request', async () => {
    s = new BackendScheduler([backend('a', ['m'], 1)]);
    await s.acquire('m', 'S');
    const waiting = s.acquire('m', 'S');
    await s.close();
    expect(s.closed).toBe(true);
    await expect(waiting).rejects.toBeInstanceOf(LlmBackendUnavailableError);
    await expect(s.acquire('m', 'S')).rejects.toThrow(/closed/);
  });
});
