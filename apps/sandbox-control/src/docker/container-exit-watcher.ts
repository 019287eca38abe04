import type Docker from 'dockerode';
import { ContainerEvent, ContainerEventStream } from './container-event-stream';
import { dockerStatusCode } from './sandbox-errors';

/** How a container went: its processes died (killed, stopped), or it was removed. */
export type ContainerEnd = 'died' | 'removed';

const KEEP_MS = 10 * 60_000;
const POLL_MS = 1_000;

/**
 * Tells the execs in flight that their container died or was removed, so that they stop waiting
 * at once: Docker has been seen to keep an exec's stream open after its container was removed
 * under it, and even when it closes it, the exit status (137) must not pass for the command's own.
 * Driven by the engine's `die` and `destroy` events (the shared ContainerEventStream); while that
 * stream is down, the watched containers are inspected every second instead. Ends are kept a
 * while, so that an exec that starts after its container's end learns of it too.
 */
export class ContainerExitWatcher {
  private readonly ended = new Map<string, { how: ContainerEnd; at: number }>();
  private readonly watchers = new Map<string, Set<(how: ContainerEnd) => void>>();
  private readonly unsubscribe: () => void;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly events: ContainerEventStream,
    private readonly docker: Docker,
    private readonly pollMs = POLL_MS,
  ) {
    this.unsubscribe = events.onEvent((e) => this.onEvent(e));
  }

  /**
   * Calls `onEnd` once when the container dies or is removed (at once if it already did); returns
   * the unwatch (call it when the exec is over).
   */
  watch(containerId: string, onEnd: (how: ContainerEnd) => void): () => void {
    let fired = false;
    const once = (how: ContainerEnd) => {
      if (fired) return;
      fired = true;
      onEnd(how);
    };
    const set = this.watchers.get(containerId) ?? new Set();
    set.add(once);
    this.watchers.set(containerId, set);
    this.ensurePoller();
    const known = this.ended.get(containerId);
    if (known) once(known.how);
    return () => {
      set.delete(once);
      if (set.size === 0 && this.watchers.get(containerId) === set) this.watchers.delete(containerId);
      if (this.watchers.size === 0) this.stopPoller();
    };
  }

  /** How the container ended, if its end is known. */
  endOf(containerId: string): ContainerEnd | undefined {
    return this.ended.get(containerId)?.how;
  }

  forget(containerId: string): void {
    this.ended.delete(containerId);
  }

  close(): void {
    this.unsubscribe();
    this.stopPoller();
    this.watchers.clear();
  }

  private onEvent({ action, containerId, at }: ContainerEvent): void {
    if (action === 'die') this.mark(containerId, 'died', at);
    else if (action === 'destroy') this.mark(containerId, 'removed', at);
  }

  private mark(containerId: string, how: ContainerEnd, at: number): void {
    for (const [id, e] of this.ended) if (at - e.at > KEEP_MS) this.ended.delete(id);
    if (this.ended.get(containerId)?.how !== 'removed') this.ended.set(containerId, { how, at });
    for (const fire of [...(this.watchers.get(containerId) ?? [])]) fire(how);
  }

  private ensurePoller(): void {
    if (this.poller) return;
    this.poller = setInterval(() => void this.pollOnce(), this.pollMs);
    this.poller.unref();
  }

  private stopPoller(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
  }

  /** Only while the event stream is down: each watched container, inspected. */
  private async pollOnce(): Promise<void> {
    if (this.polling || this.events.connected) return;
    this.polling = true;
    try {
      await Promise.all(
        [...this.watchers.keys()].map(async (containerId) => {
          try {
            const info = await this.docker.getContainer(containerId).inspect();
            if (!info.State.Running) this.mark(containerId, 'died', Date.now());
          } catch (err) {
            if (dockerStatusCode(err) === 404) this.mark(containerId, 'removed', Date.now());
          }
        }),
      );
    } finally {
      this.polling = false;
    }
  }
}
