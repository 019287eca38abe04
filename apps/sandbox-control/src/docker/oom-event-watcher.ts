import type Docker from 'dockerode';
import { EventEmitter } from 'node:events';

const KEEP_MS = 10 * 60_000;
const RECONNECT_MS = 500;

/**
 * One long-lived subscription to the engine's `oom` events for our containers
 * (filtered by type=container, event=oom and our managed label), shared by all execs.
 *
 * Why events at all: when an exec'd process (not the container's main process) is
 * OOM-killed, the exec exits 137 but the container's State.OOMKilled stays false;
 * the engine still emits an `oom` event for the container. Times are local receive
 * times (a remote engine's clock may be skewed). After a disconnection the watcher
 * resubscribes with `since` so that events of the gap are replayed.
 */
export class OomEventWatcher {
  private readonly seen = new Map<string, number[]>();
  private readonly emitter = new EventEmitter();
  private stream: NodeJS.ReadableStream | undefined;
  private abort: AbortController | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private disconnectedAt: number | undefined;
  private closed = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly labelFilters: string[],
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Connects (once); later calls return the same promise. */
  start(): Promise<void> {
    if (!this.starting) this.starting = this.connect();
    return this.starting;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.abort = abort;
    const since = this.disconnectedAt !== undefined ? Math.floor(this.disconnectedAt / 1000) - 1 : undefined;
    try {
      const stream = (await this.docker.getEvents({
        filters: { type: ['container'], event: ['oom'], label: this.labelFilters },
        ...(since !== undefined ? { since } : {}),
        abortSignal: abort.signal,
      } as Docker.GetEventsOptions)) as NodeJS.ReadableStream;
      this.stream = stream;
      this.disconnectedAt = undefined;
      let pending = '';
      stream.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) this.onEventLine(line);
        }
      });
      const lost = () => this.onDisconnect(stream);
      stream.on('end', lost);
      stream.on('close', lost);
      stream.on('error', lost);
    } catch {
      if (!this.closed) this.scheduleReconnect();
    }
  }

  private onDisconnect(stream: NodeJS.ReadableStream): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    if (this.closed) return;
    this.disconnectedAt = this.disconnectedAt ?? Date.now();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.disconnectedAt = this.disconnectedAt ?? Date.now();
    if (this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }

  private onEventLine(line: string): void {
    let id: string | undefined;
    try {
      const ev = JSON.parse(line) as { id?: string; Actor?: { ID?: string }; Action?: string; status?: string };
      if ((ev.Action ?? ev.status) !== 'oom') return;
      id = ev.Actor?.ID ?? ev.id;
    } catch {
      return;
    }
    if (!id) return;
    const now = Date.now();
    const list = (this.seen.get(id) ?? []).filter((t) => now - t < KEEP_MS);
    list.push(now);
    this.seen.set(id, list);
    this.emitter.emit(id, now);
  }

  /** Whether an oom event for the container arrived at or after `sinceMs` (local clock). */
  seenSince(containerId: string, sinceMs: number): boolean {
    return (this.seen.get(containerId) ?? []).some((t) => t >= sinceMs);
  }

  /**
   * Resolves true as soon as an oom event for the container (at/after sinceMs) is
   * known, false after graceMs. The event can trail the exec's exit by a few ms.
   */
  async waitFor(containerId: string, sinceMs: number, graceMs: number): Promise<boolean> {
    if (this.seenSince(containerId, sinceMs)) return true;
    return new Promise<boolean>((resolve) => {
      const onEvent = () => finish(true);
      const timer = setTimeout(() => finish(false), graceMs);
      const finish = (v: boolean) => {
        clearTimeout(timer);
        this.emitter.off(containerId, onEvent);
        resolve(v);
      };
      this.emitter.on(containerId, onEvent);
    });
  }

  forget(containerId: string): void {
    this.seen.delete(containerId);
  }

  get connected(): boolean {
    return this.stream !== undefined;
  }

  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.abort?.abort();
    const s = this.stream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    s?.destroy?.();
    this.stream = undefined;
    this.emitter.removeAllListeners();
  }
}
