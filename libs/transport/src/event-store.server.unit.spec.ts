import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore, HandlerContext, StoredEvent } from '@swe-sim/event-store';
import { EventStoreServer } from './event-store.server';

/** The transport's dispatch, without a subscription: what reaches the handlers of one event. */
describe('EventStoreServer dispatch', () => {
  const store = new EventStore({} as never, { registry: createEventRegistry() });
  const event = (metadata: Partial<StoredEvent['metadata']> = {}): StoredEvent => ({
    id: '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d',
    type: 'SimulationCompleted',
    schemaVersion: 1,
    data: { simulationId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed' },
    metadata: { simulationId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', correlationId: 'c', causationId: null, actor: 'test', recordedAt: new Date(0).toISOString(), ...metadata },
    streamId: 'simulation-1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
    streamVersion: 9,
    globalPosition: 100,
    transactionId: '5',
  });
  const ctx = { tx: {}, append: jest.fn() } as unknown as HandlerContext;

  function serverWith(handler: jest.Mock, isEventHandler = true) {
    const server = new EventStoreServer({ store, connection: {}, service: 'test' });
    server.addHandler('SimulationCompleted', handler, isEventHandler);
    return server as unknown as { dispatch(e: StoredEvent, c: HandlerContext): Promise<void> };
  }

  it('hands an event recorded here to its handler', async () => {
    const handler = jest.fn().mockResolvedValue(undefined);
    await serverWith(handler).dispatch(event(), ctx);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0][0]).toEqual(event().data);
  });

  it('hands an imported event (metadata.importedFrom) to no handler, event or request', async () => {
    const imported = event({ importedFrom: 'a'.repeat(64) });
    const onEvent = jest.fn().mockResolvedValue(undefined);
    await serverWith(onEvent).dispatch(imported, ctx);
    expect(onEvent).not.toHaveBeenCalled();

    // A request is not even accepted into the inbox (no query on the transaction).
    const query = jest.fn();
    const onRequest = jest.fn();
    await serverWith(onRequest, false).dispatch(imported, { ...ctx, tx: { query } } as unknown as HandlerContext);
    expect(onRequest).not.toHaveBeenCalled();
    expect(query).not.toHaveBeenCalled();
  });
});
