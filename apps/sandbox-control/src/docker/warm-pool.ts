import { createHash } from 'node:crypto';
import { SandboxLimits } from './sandbox-types';

/**
 * A warm pool keeps N started, idle sandbox containers of one image/limits/runtime
 * so that createSandbox costs a rename instead of a create + start.
 *
 * How it fits Docker's rules:
 * - Labels and mounts are fixed at create time. A pooled container therefore carries
 *   the pool's labels (managed, owner, pool key, image) but no simulation/sandbox
 *   labels, and its /workspace is a fresh, empty host directory made for it. Only
 *   sandboxes that ask for a fresh workspace (`workspace: {type:'fresh'}`) can be
 *   served from a pool; a sandbox that must mount an existing team workspace is
 *   always created cold.
 * - On claim the engine renames the container to `swe-sim-sbx-<sandboxId>` (a name
 *   can change; labels cannot), so any engine instance finds it by sandbox id. The
 *   simulation <-> sandbox mapping is the caller's (recorded in its events:
 *   SandboxCreated carries sandboxId, containerId and the workspace path); the
 *   reaper still works through the owner label, which pooled containers do carry.
 * - Environment given in the spec is applied to each exec by the engine (it cannot
 *   be set on a running container).
 */
export interface WarmPoolOptions {
  image: string;
  /** Idle containers to keep ready. */
  size: number;
  limits?: Partial<SandboxLimits>;
  runtime?: string;
}

export interface PooledContainer {
  containerId: string;
  containerName: string;
  workspaceHostPath: string;
  createdAt: Date;
}

export function warmPoolKey(image: string, limits: SandboxLimits, runtime: string | undefined): string {
  const canonical = JSON.stringify({
    image,
    runtime: runtime ?? '',
    limits: [limits.memoryBytes, limits.nanoCpus, limits.pidsLimit, limits.tmpfsBytes],
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

export class WarmPool {
  private readonly ready: PooledContainer[] = [];
  private pending = 0;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  /** Last creation error, for diagnostics. */
  lastError: unknown;

  constructor(
    readonly key: string,
    readonly image: string,
    readonly limits: SandboxLimits,
    readonly runtime: string | undefined,
    readonly size: number,
    private readonly createOne: () => Promise<PooledContainer>,
    private readonly removeOne: (c: PooledContainer) => Promise<void>,
  ) {
    if (!Number.isInteger(size) || size < 0) throw new Error(`bad pool size ${size}`);
  }

  get readyCount(): number {
    return this.ready.length;
  }

  matches(key: string): boolean {
    return !this.closed && key === this.key;
  }

  /** A ready container, or undefined when the pool is empty; refilling starts either way. */
  take(): PooledContainer | undefined {
    const c = this.ready.shift();
    this.refill();
    return c;
  }

  /** Starts background creation up to `size` ready-or-pending containers. */
  refill(): void {
    if (this.retryTimer) return; // backing off after a failure
    while (!this.closed && this.ready.length + this.pending < this.size) {
      this.pending++;
      this.createOne().then(
        (c) => {
          this.pending--;
          this.failures = 0;
          if (this.closed) {
            void this.removeOne(c).catch(() => undefined);
            return;
          }
          this.ready.push(c);
          this.notify();
        },
        (err: unknown) => {
          this.pending--;
          this.lastError = err;
          this.failures++;
          // Back off (0.5 s, 1 s, 2 s ... 30 s) instead of hammering a sick engine.
          const delay = Math.min(30_000, 500 * 2 ** (this.failures - 1));
          if (!this.closed && !this.retryTimer) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              this.refill();
            }, delay);
            this.retryTimer.unref();
          }
        },
      );
    }
  }

  /** Resolves when `size` containers are ready (or rejects after timeoutMs). */
  async waitUntilFull(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.ready.length < this.size) {
      if (this.closed) throw new Error('pool closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`pool ${this.key}: ${this.ready.length}/${this.size} ready after ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Stops refilling and removes the idle containers (claimed ones belong to their sandboxes). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const idle = this.ready.splice(0);
    this.notify();
    await Promise.all(idle.map((c) => this.removeOne(c).catch(() => undefined)));
  }
}
