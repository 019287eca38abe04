import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { RunningService, TestDatabase, createTestDatabase, eventually, startService } from '@swe-sim/testing';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';
import { TEST_EVENTS } from '../fixtures/test-events';

/** Ready and idle: the active consumer of its subscription, nothing to catch up on, no request open. */
async function readyAndIdle(service: RunningService): Promise<void> {
  await eventually(
    async () => {
      const h = (await (await fetch(`${service.url}/health`)).json()) as any;
      return h.subscription?.active === true && h.lag === 0 && h.pendingRequests === 0 && h.requestsInFlight === 0;
    },
    20_000,
    'ready and idle',
  );
}

/** Sends SIGTERM; the exit code (or signal) and how long the process took to go. */
async function stop(service: RunningService): Promise<{ code: number | string; ms: number }> {
  const started = Date.now();
  const code = await service.kill('SIGTERM');
  return { code, ms: Date.now() - started };
}

/**
 * A supervisor (`npm start`, Kubernetes) sends SIGTERM and waits a while before SIGKILL: a service
 * with nothing to do must be gone at once and say it stopped cleanly (exit code 0, not death by the
 * signal), and one with requests in flight lets them finish within its grace.
 */
describe('stopping a service', () => {
  let db: TestDatabase;
  let workspaces: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    workspaces = mkdtempSync(join(tmpdir(), 'swe-sim-shutdown-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(workspaces, { recursive: true, force: true });
  });

  it.each(['project-management', 'team-formation', 'agent-execution', 'sandbox-control'])('idle %s exits with code 0 within 2 s of SIGTERM', async (name) => {
    const service = await startService(name, {
      DATABASE_URL: db.url,
      // Nothing listens there: an idle service makes no LLM call.
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MODEL: 'sim-model',
      SANDBOX_WORKSPACE_ROOT: workspaces,
      SANDBOX_INSTANCE_ID: `shutdown-${process.pid}`,
    });
    try {
      await readyAndIdle(service);
      const { code, ms } = await stop(service);
      expect({ code, within2s: ms <= 2000 }).toEqual({ code: 0, within2s: true });
    } finally {
      await service.kill('SIGKILL');
    }
  });

  it('a request in flight gets its grace: it is answered, then the service exits with code 0', async () => {
    const echo = await startService('test/fixtures/echo-service.js', { DATABASE_URL: db.url, SERVICE_NAME: 'echo-shutdown', SHUTDOWN_GRACE_MS: '5000' });
    const store = new EventStore(db.pool, { registry: createEventRegistry(TEST_EVENTS) });
    const client = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'test-client', requestTimeoutMs: 10_000 });
    try {
      await readyAndIdle(echo);
      const reply = lastValueFrom(client.send('TestSleepRequested', { ms: 1500 }));
      await eventually(async () => ((await (await fetch(`${echo.url}/health`)).json()) as any).requestsInFlight === 1, 10_000, 'request in flight');
      const { code, ms } = await stop(echo);
      await expect(reply).resolves.toEqual({ slept: 1500 });
      expect(code).toBe(0);
      // It waited for the request (≈1.5 s), not for the whole grace (5 s).
      expect(ms).toBeGreaterThan(1000);
      expect(ms).toBeLessThan(4000);
    } finally {
      await client.close();
      await echo.kill('SIGKILL');
    }
  });

  it('a request still running after the grace is left pending and the service exits soon after the grace', async () => {
    const echo = await startService('test/fixtures/echo-service.js', { DATABASE_URL: db.url, SERVICE_NAME: 'echo-shutdown-2', SHUTDOWN_GRACE_MS: '500' });
    const store = new EventStore(db.pool, { registry: createEventRegistry(TEST_EVENTS) });
    const client = new EventStoreClient({ store, connection: { connectionString: db.url }, service: 'test-client', requestTimeoutMs: 10_000 });
    try {
      await readyAndIdle(echo);
      const requestId = randomUUID();
      void lastValueFrom(client.send('TestSleepRequested', new EventRecord({ ms: 20_000 }, { eventId: requestId }))).catch(() => undefined);
      await eventually(async () => ((await (await fetch(`${echo.url}/health`)).json()) as any).requestsInFlight === 1, 10_000, 'request in flight');
      const { ms } = await stop(echo);
      expect(ms).toBeLessThan(500 + 2500);
      const pending = await db.pool.query(`SELECT status FROM transport_inbox WHERE service = 'echo-shutdown-2' AND request_id = $1`, [requestId]);
      expect(pending.rows).toEqual([{ status: 'pending' }]);
    } finally {
      await client.close();
      await echo.kill('SIGKILL');
    }
  });
});
