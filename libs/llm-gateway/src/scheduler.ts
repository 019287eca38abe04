/**
 * Who sends next, and where: at most `maxInFlight` requests per backend; beyond that a fair queue,
 * round robin across simulations, so one simulation with many waiting calls cannot starve another.
 * Among the backends of a model, the least loaded (in flight / bound) with a free slot takes a request.
 */
import { Backend } from './backend';
import { LlmBackendUnavailableError, LlmCancelledError, LlmNoBackendForModelError } from './errors';
import { FairQueue } from './fair-queue';
import type { BackendConfig } from './types';

interface Waiter {
  simulationId: string;
  model: string;
  enqueuedAt: number;
  resolve: (b: Backend) => void;
  reject: (e: Error) => void;
  cleanup: () => void;
}

/** The backend with a free slot and the lowest share of its bound in flight (the first of equals); none when all are full. */
export function leastLoaded<B extends Pick<Backend, 'inFlight' | 'maxInFlight'>>(list: readonly B[]): B | undefined {
  let best: B | undefined;
  for (const b of list) {
    if (b.inFlight >= b.maxInFlight) continue;
    if (!best || b.inFlight / b.maxInFlight < best.inFlight / best.maxInFlight) best = b;
  }
  return best;
}

export class BackendScheduler {
  readonly backends: Backend[];
  private readonly byModel = new Map<string, Backend[]>();
  private readonly queue = new FairQueue<Waiter>();
  private closedFlag = false;

  constructor(configs: BackendConfig[]) {
    if (!configs || configs.length === 0) throw new Error('LlmGateway: at least one backend is required');
    const names = new Set<string>();
    this.backends = configs.map((c) => {
      if (names.has(c.name)) throw new Error(`LlmGateway: duplicate backend name "${c.name}"`);
      names.add(c.name);
      return new Backend(c);
    });
    for (const b of this.backends) {
      for (const m of b.models) {
        const list = this.byModel.get(m) ?? [];
        list.push(b);
        this.byModel.set(m, list);
      }
    }
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Requests waiting for a slot (all backends). */
  get queued(): number {
    return this.queue.size;
  }

  /** Waiting requests per simulation. */
  queuedBySimulation(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const k of this.queue.keys()) out[k] = this.queue.sizeOf(k);
    return out;
  }

  /** Simulations with requests waiting for a slot. */
  queuedSimulations(): number {
    return this.queue.keys().length;
  }

  /** Models served, with their backends. */
  models(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [m, list] of this.byModel) out[m] = list.map((b) => b.name);
    return out;
  }

  /** A slot at a backend of the model: at once when one is free and nobody waits, else in the fair queue. */
  acquire(model: string, simulationId: string, signal?: AbortSignal): Promise<Backend> {
    if (this.closedFlag) return Promise.reject(new LlmBackendUnavailableError('LLM gateway closed'));
    if (!this.byModel.has(model)) return Promise.reject(new LlmNoBackendForModelError(model));
    if (signal?.aborted) return Promise.reject(new LlmCancelledError('LLM call cancelled before it was sent'));
    if (this.queue.size === 0) {
      const b = this.pickBackend(model);
      if (b) {
        b.inFlight++;
        return Promise.resolve(b);
      }
    }
    return new Promise<Backend>((resolve, reject) => {
      const onAbort = () => {
        if (this.queue.remove(simulationId, waiter)) reject(new LlmCancelledError('LLM call cancelled while queued'));
      };
      const waiter: Waiter = {
        simulationId,
        model,
        enqueuedAt: performance.now(),
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(simulationId, waiter);
      this.pump();
    });
  }

  /** Gives a slot back; the next waiter in round-robin order that it fits takes it. */
  release(b: Backend): void {
    b.inFlight--;
    this.pump();
  }

  /** Rejects queued calls and closes the connection pools (in-flight requests are aborted). */
  async close(): Promise<void> {
    this.closedFlag = true;
    for (const w of this.queue.drain()) {
      w.cleanup();
      w.reject(new LlmBackendUnavailableError('LLM gateway closed'));
    }
    await Promise.all(this.backends.map((b) => b.destroy()));
  }

  private pickBackend(model: string): Backend | undefined {
    const list = this.byModel.get(model);
    return list ? leastLoaded(list) : undefined;
  }

  private pump(): void {
    for (;;) {
      const w = this.queue.take((x) => this.pickBackend(x.model) !== undefined);
      if (!w) return;
      const b = this.pickBackend(w.model)!;
      b.inFlight++;
      w.cleanup();
      w.resolve(b);
    }
  }
}
