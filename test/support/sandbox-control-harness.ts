import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lastValueFrom } from 'rxjs';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore } from '@swe-sim/event-store';
import { createTestDatabase, RunningService, startService, TestDatabase } from '@swe-sim/testing';
import { EventRecord, EventStoreClient } from '@swe-sim/transport';
import { SandboxEngine } from '../../apps/sandbox-control/src/docker';
import { reapOrphanedTestSandboxes } from './orphaned-test-sandboxes';

export interface SandboxControlHarnessOptions {
  /** SANDBOX_INSTANCE_ID of the process: owner label of its containers, prefix of the workspace root. */
  instanceId: string;
  /** Added to (or overriding) the process's environment. */
  env?: Record<string, string>;
  client?: { service?: string; requestTimeoutMs?: number; replyPollMs?: number };
}

/** A refused request's error, or `NO_ERROR` when it was answered. */
export const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'NO_ERROR', message: '' }),
    (e: { code: string; message: string; field?: string }) => e,
  );

/**
 * sandbox-control as its own process (from dist/) on a fresh test database and workspace root, with a
 * client that speaks to it through events only, and an engine of the same instance to look at (and
 * in the end reap) its containers.
 */
export class SandboxControlHarness {
  readonly simulationId = randomUUID();
  readonly engine: SandboxEngine;
  private process: RunningService | undefined;

  private constructor(
    private readonly options: SandboxControlHarnessOptions,
    readonly wsRoot: string,
    readonly db: TestDatabase,
    readonly store: EventStore,
    readonly client: EventStoreClient,
  ) {
    this.engine = new SandboxEngine({ instanceId: options.instanceId });
  }

  static async start(options: SandboxControlHarnessOptions): Promise<SandboxControlHarness> {
    await reapOrphanedTestSandboxes();
    const wsRoot = await fs.mkdtemp(path.join(os.tmpdir(), `${options.instanceId}-`));
    const db = await createTestDatabase();
    const store = new EventStore(db.pool, { registry: createEventRegistry() });
    const client = new EventStoreClient({
      store,
      connection: { connectionString: db.url },
      service: options.client?.service ?? 'agent-execution-test',
      requestTimeoutMs: options.client?.requestTimeoutMs ?? 30_000,
      replyPollMs: options.client?.replyPollMs ?? 200,
    });
    const harness = new SandboxControlHarness(options, wsRoot, db, store, client);
    try {
      await client.connect();
      await harness.startProcess();
    } catch (err) {
      await harness.stop();
      throw err;
    }
    return harness;
  }

  get env(): Record<string, string> {
    return {
      DATABASE_URL: this.db.url,
      SANDBOX_INSTANCE_ID: this.options.instanceId,
      SANDBOX_WORKSPACE_ROOT: this.wsRoot,
      SANDBOX_REAP_GRACE_MS: '0',
      ...this.options.env,
    };
  }

  async startProcess(): Promise<void> {
    this.process = await startService('sandbox-control', this.env);
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  async killProcess(): Promise<void> {
    const process = this.process;
    this.process = undefined;
    await process?.kill('SIGKILL');
  }

  /** A request as agent-execution sends it, in the harness's simulation unless told otherwise. */
  send<T>(type: string, data: unknown, options: { simulationId?: string | null; eventId?: string } = {}): Promise<T> {
    const simulationId = options.simulationId === undefined ? this.simulationId : options.simulationId;
    const record = new EventRecord(data, { metadata: { simulationId }, ...(options.eventId ? { eventId: options.eventId } : {}) });
    return lastValueFrom(this.client.send<T>(type, record));
  }

  containerExists(name: string): Promise<boolean> {
    return this.engine.docker
      .getContainer(name)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  }

  async stop(): Promise<void> {
    await this.killProcess();
    await this.engine.reap(() => true, { owner: this.options.instanceId });
    await this.engine.close();
    await this.client.close();
    await this.db.drop();
    await fs.rm(this.wsRoot, { recursive: true, force: true });
  }
}
