import { BaseRpcContext } from '@nestjs/microservices';
import { EventMetadata, rpcStream } from '@swe-sim/contracts';
import { AppendResult, EventStore, ExpectedVersion, HandlerContext, NewEvent, StoredEvent, causedBy } from '@swe-sim/event-store';

type AppendOptions = { expectedVersion?: ExpectedVersion; metadata?: Partial<EventMetadata> };

/**
 * What `@Ctx()` gives a handler. For `@EventPattern` handlers, `tx` is the subscription's
 * transaction: writes through it (and `append`) commit together with the checkpoint, exactly once.
 * `@MessagePattern` handlers run outside that transaction (they may be slow), so `tx` is null.
 */
export class EventStoreContext extends BaseRpcContext<[StoredEvent, HandlerContext | null, EventStore]> {
  getEvent(): StoredEvent {
    return this.args[0];
  }

  getTx() {
    return this.args[1]?.tx ?? null;
  }

  /**
   * Sends a request (a `@MessagePattern` of some service, possibly this one) as part of this
   * handler's work: with a derived `requestId`, a re-run sends nothing new. Fire-and-forget: the
   * answer is recorded as RpcReplied; whoever needs it reads that or the facts the handler records.
   */
  request(type: string, data: unknown, requestId: string): Promise<AppendResult> {
    return this.append(rpcStream(requestId), [{ id: requestId, type, data }], { expectedVersion: 'no_stream', metadata: { correlationId: requestId } });
  }

  /** Appends with correlation and causation taken from the handled event. */
  append(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    const [event, handlerContext, store] = this.args;
    if (handlerContext) return handlerContext.append(streamId, events, options);
    return store.append(streamId, events, {
      expectedVersion: options.expectedVersion,
      metadata: { ...causedBy(event), ...options.metadata },
    });
  }
}
