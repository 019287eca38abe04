import { EventEmitter } from 'node:events';
import { ContainerEvent, ContainerEventStream } from './container-event-stream';

const KEEP_MS = 10 * 60_000;

/**
 * The engine's `oom` events for our containers (from the shared ContainerEventStream), kept a
 * while so that every exec can ask about its container.
 *
 * Why events at all: when an exec'd process (not the container's main process) is
 * OOM-killed, the exec exits 137 but the container's State.OOMKilled stays false;
 * the engine still emits an `oom` event for the container. Times are local receive
 * times (a remote engine's clock may be skewed); the stream replays the events of a
 * disconnection once it is back.
 */
export class OomEventWatcher {
  private readonly seen = new Map<string, number[]>();
  private readonly emitter = new EventEmitter();
  private readonly unsubscribe: () => void;

  constructor(private readonly events: ContainerEventStream) {
    this.emitter.setMaxListeners(0);
    this.unsubscribe = events.onEvent((e) => this.onEvent(e));
  }

  private onEvent({ action, containerId, at }: ContainerEvent): void {
    if (action !== 'oom') return;
    const list = (this.seen.get(containerId) ?? []).filter((t) => at - t < KEEP_MS);
    list.push(at);
    this.seen.set(containerId, list);
    this.emitter.emit(containerId, at);
  }

  /** Whether an oom event for the container arrived at or after `sinceMs` (local clock). */
  seenSince(containerId: string, sinceMs: number): boolean {
    return (this.seen.get(containerId) ?? []).some((t) => t >= sinceMs);
  }

  /**
   * Resolves true as soon as an oom event for the container (at/after sinceMs) is
   * known, false after graceMs (or at once when `signal` aborts). The event can trail
   * the exec's exit by a few ms.
   */
  async waitFor(containerId: string, sinceMs: number, graceMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.seenSince(containerId, sinceMs)) return true;
    if (signal?.aborted) return false;
    return new Promise<boolean>((resolve) => {
      const onEvent = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), graceMs);
      const finish = (v: boolean) => {
        clearTimeout(timer);
        this.emitter.off(containerId, onEvent);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      this.emitter.on(containerId, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  forget(containerId: string): void {
    this.seen.delete(containerId);
  }

  get connected(): boolean {
    return this.events.connected;
  }

  close(): void {
    this.unsubscribe();
    this.emitter.removeAllListeners();
  }
}
