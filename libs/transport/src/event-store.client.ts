import { randomUUID } from 'node:crypto';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { Client, ClientConfig } from 'pg';
import { RpcReplied, rpcStream } from '@swe-sim/contracts';
import { ConcurrencyError, DuplicateEventError, EVENTS_CHANNEL, EventStore, StoredEvent, wakesFor } from '@swe-sim/event-store';
import { unwrapRecord } from './event-record';
import { RpcRemoteError, RpcTimeoutError } from './errors';

export interface EventStoreClientOptions {
  /** An `EventRecord` with `eventId` makes `send()` idempotent: the same id joins the request already stored. */
  store: EventStore;
  connection: ClientConfig;
  /** Written as the actor of what this client appends. */
  service: string;
  requestTimeoutMs?: number;
  /** Fallback check for replies when a NOTIFY was missed. */
  replyPollMs?: number;
}

const REPLY_TYPES = new Set([RpcReplied.type]);

interface PendingReply {
  pattern: string;
  callback: (packet: WritePacket) => void;
  timer: NodeJS.Timeout;
}

/**
 * `client.emit(type, data)` appends an event (stream from the contract, or an EventRecord's options);
 * `client.send(pattern, data)` appends a request event opening stream rpc-<id> and resolves with the
 * RpcReplied event that closes it, or fails with RpcTimeoutError.
 */
export class EventStoreClient extends ClientProxy {
  private listener: Client | null = null;
  private connecting: Promise<void> | null = null;
  /** Waiters per request id (several when the same id is sent again before its reply). */
  private readonly pending = new Map<string, PendingReply[]>();
  private poll: NodeJS.Timeout | null = null;
  private checking = false;
  private recheck = false;

  constructor(private readonly options: EventStoreClientOptions) {
    super();
  }

  connect(): Promise<void> {
    this.connecting ??= this.openListener().catch((err) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    for (const [, waiters] of this.pending) waiters.forEach((w) => clearTimeout(w.timer));
    this.pending.clear();
    const listener = this.listener;
    this.listener = null;
    this.connecting = null;
    await listener?.end().catch(() => undefined);
  }

  unwrap<T>(): T {
    return this.options.store as T;
  }

  override on(): never {
    throw new Error('EventStoreClient has no events to listen to');
  }

  protected async dispatchEvent<T = StoredEvent[]>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern);
    const { data, options } = unwrapRecord(packet.data);
    const { store } = this.options;
    const streamId = options.streamId ?? store.registry.streamOf(pattern, data);
    if (!streamId) throw new Error(`${pattern} names no stream in its contract: emit it with an EventRecord that gives streamId`);
    const result = await store.append(streamId, [{ type: pattern, data, id: options.eventId }], {
      expectedVersion: options.expectedVersion,
      metadata: { actor: this.options.service, ...options.metadata },
    });
    return result.events as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern);
    const { data, options } = unwrapRecord(packet.data);
    const requestId = options.eventId ?? randomUUID();
    const ms = this.options.requestTimeoutMs ?? 30_000;
    const waiter: PendingReply = {
      pattern,
      callback,
      timer: setTimeout(() => {
        if (this.forget(requestId, waiter)) callback({ err: new RpcTimeoutError(pattern, requestId, ms), isDisposed: true });
      }, ms),
    };
    this.pending.set(requestId, [...(this.pending.get(requestId) ?? []), waiter]);
    this.ensurePolling();
    this.options.store
      .append(rpcStream(requestId), [{ type: pattern, data, id: requestId }], {
        expectedVersion: 'no_stream',
        metadata: { actor: this.options.service, correlationId: requestId, ...options.metadata },
      })
      .then(() => this.checkReplies())
      .catch((err) => {
        // A request with a caller-chosen id that is already stored (a re-run after a crash, or the
        // same id sent twice): wait for its reply instead of asking twice.
        if (options.eventId && (err instanceof ConcurrencyError || err instanceof DuplicateEventError)) return this.checkReplies();
        if (this.forget(requestId, waiter)) callback({ err, isDisposed: true });
      });
    return () => void this.forget(requestId, waiter);
  }

  /** Drops one waiter; false when it was no longer waiting (answered, timed out, disposed). */
  private forget(requestId: string, waiter: PendingReply): boolean {
    const waiters = this.pending.get(requestId) ?? [];
    if (!waiters.includes(waiter)) return false;
    clearTimeout(waiter.timer);
    const rest = waiters.filter((w) => w !== waiter);
    if (rest.length) this.pending.set(requestId, rest);
    else this.pending.delete(requestId);
    return true;
  }

  private async openListener(): Promise<void> {
    const listener = new Client(this.options.connection);
    // Only a commit with a reply can answer a waiter (each check reads every pending reply stream).
    listener.on('notification', (msg) => {
      if (wakesFor(msg.payload, REPLY_TYPES)) void this.checkReplies();
    });
    listener.on('error', () => {
      // NOTIFY is only a wake-up: polling carries on while we reconnect on the next connect().
      this.listener = null;
      this.connecting = null;
    });
    await listener.connect();
    await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.listener = listener;
  }

  private ensurePolling(): void {
    if (this.poll) return;
    this.poll = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(this.poll!);
        this.poll = null;
        return;
      }
      if (!this.listener) void this.connect().catch(() => undefined);
      void this.checkReplies();
    }, this.options.replyPollMs ?? 500);
    this.poll.unref();
  }

  private async checkReplies(): Promise<void> {
    if (this.pending.size === 0) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.recheck = false;
        const ids = [...this.pending.keys()];
        const replies = await this.options.store.readStreams(ids.map(rpcStream), 2);
        for (const reply of replies) this.deliver(reply);
      } while (this.recheck && this.pending.size > 0);
    } catch {
      // The poll tries again.
    } finally {
      this.checking = false;
    }
  }

  private deliver(reply: StoredEvent): void {
    const data = reply.data as { requestId: string; ok: boolean; response?: unknown; error?: { code: string; message: string } };
    const waiters = this.pending.get(data.requestId);
    if (!waiters) return;
    this.pending.delete(data.requestId);
    for (const w of waiters) {
      clearTimeout(w.timer);
      if (data.ok) w.callback({ response: data.response, isDisposed: true });
      else w.callback({ err: new RpcRemoteError(data.error!.code, data.error!.message, { pattern: w.pattern }), isDisposed: true });
    }
  }
}
