import type Docker from 'dockerode';
import { EventEmitter } from 'node:events';

const RECONNECT_MS = 500;

/** What the engine's event stream says about one container (receive time on the local clock). */
export interface ContainerEvent {
  action: string;
  containerId: string;
  at: number;
}

/**
 * One long-lived subscription to the engine's container events of some actions (`oom`, `die`,
 * `destroy`…) for our containers (a label filter), shared by the watchers built on it
 * (oom-event-watcher.ts, container-exit-watcher.ts). Times are local receive times (a remote
 * engine's clock may be skewed). After a disconnection it resubscribes with `since`, so that the
 * events of the gap are replayed (a watcher may see an event twice).
 */
export class ContainerEventStream {
  private readonly emitter = new EventEmitter();
  private stream: NodeJS.ReadableStream | undefined;
  private abort: AbortController | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private disconnectedAt: number | undefined;
  private closed = false;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly actions: string[],
    private readonly labelFilters: string[],
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Connects (once); later calls return the same promise. */
  start(): Promise<void> {
    if (!this.starting) this.starting = this.connect();
    return this.starting;
  }

  /** Calls `listener` for every event received from now on; returns its removal. */
  onEvent(listener: (event: ContainerEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get connected(): boolean {
    return this.stream !== undefined;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const abort = new AbortController();
    this.abort = abort;
    const since = this.disconnectedAt !== undefined ? Math.floor(this.disconnectedAt / 1000) - 1 : undefined;
    try {
      const stream = (await this.docker.getEvents({
        filters: { type: ['container'], event: this.actions, label: this.labelFilters },
        ...(since !== undefined ? { since } : {}),
        abortSignal: abort.signal,
      } as Docker.GetEventsOptions)) as NodeJS.ReadableStream;
      if (this.closed) {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        return;
      }
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
    let event: ContainerEvent;
    try {
      const ev = JSON.parse(line) as { id?: string; Actor?: { ID?: string }; Action?: string; status?: string };
      const action = ev.Action ?? ev.status;
      const containerId = ev.Actor?.ID ?? ev.id;
      if (!action || !containerId) return;
      event = { action, containerId, at: Date.now() };
    } catch {
      return;
    }
    this.emitter.emit('event', event);
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
