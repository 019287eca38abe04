import { EventEmitter } from 'node:events';
import { createEventRegistry } from '@swe-sim/contracts';
import { EventStore, silentLogger } from '@swe-sim/event-store';
import { createTestDatabase, eventually, TestDatabase } from '@swe-sim/testing';
import { appendSyntheticHistory } from '../simulations/simulation-state/synthetic-history';
import { EventsWakeup } from './events-wakeup';
import { History } from './history';
import { SimulationEventStreamHttpController } from './simulation-event-stream.http.controller';

/** A response whose socket buffer is always full: every write asks the stream to wait for 'drain'. */
class SlowClientResponse extends EventEmitter {
  readonly chunks: string[] = [];
  destroyed = false;
  status() {}
  setHeader() {}
  flushHeaders() {}
  write(chunk: string) {
    this.chunks.push(chunk);
    return false;
  }
  end() {
    this.destroyed = true;
    this.emit('close');
  }
  get events() {
    return this.chunks.filter((c) => c.startsWith('id: ')).length;
  }
}

describe(SimulationEventStreamHttpController.name, () => {
  let db: TestDatabase;
  let wakeup: EventsWakeup;
  let sut: SimulationEventStreamHttpController;
  let simulationId: string;
  let total: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    const store = new EventStore(db.pool, { registry: createEventRegistry() });
    wakeup = new EventsWakeup({ DATABASE_URL: db.url }, silentLogger);
    sut = new SimulationEventStreamHttpController(new History(store), wakeup, { SUBSCRIPTION_POLL_MS: 50 }, silentLogger);
    ({ simulationId } = await appendSyntheticHistory(store, { events: 1200, features: 6, seed: 3, perTransaction: 50 }));
    total = Number((await db.pool.query('SELECT count(*) FROM events WHERE simulation_id = $1', [simulationId])).rows[0].count);
  });
  afterAll(async () => {
    wakeup.onModuleDestroy();
    await wakeup.onApplicationShutdown();
    await db.drop();
  });

  it("writes no further than a slow client has taken, then the whole history as it drains, and ends when the client goes", async () => {
    const req = new EventEmitter();
    const res = new SlowClientResponse();
    const streaming = sut.stream(simulationId, {}, undefined, req, res);

    await new Promise((r) => setTimeout(r, 300));
    expect(res.events).toBeLessThanOrEqual(1); // not the 1200 events of the history into the service's memory

    const draining = setInterval(() => res.emit('drain'), 1);
    await eventually(async () => res.events === total, 20_000, 'every event once drained');
    clearInterval(draining);
    expect(total).toBeGreaterThan(1000); // more than a page

    req.emit('close');
    await streaming;
    expect(res.destroyed).toBe(true);
  });
});
