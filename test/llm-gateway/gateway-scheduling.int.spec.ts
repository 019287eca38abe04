/**
 * The gateway's scheduling against real HTTP servers (the simulator): the fair queue across
 * simulations, the in-flight bound as the server sees it, and load shared between backends.
 * The scheduler's own logic is unit-tested in libs/llm-gateway/src/scheduler.unit.spec.ts.
 */
import { LlmGateway, type LlmRequest } from '@swe-sim/llm-gateway';
import { createLlmSimulator } from '../../apps/llm-simulator/src';

const MODEL = 'sim-model';
const ask = (content: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({ model: MODEL, messages: [{ role: 'user', content }], ...extra });

describe('LlmGateway scheduling', () => {
  it('fair queue: a simulation arriving late is served long before the backlog of another', async () => {
    const sim = createLlmSimulator({ timeScale: 0.001, script: [{ match: {}, respond: { content: 'ok', completionTokens: 100 } }] });
    const { baseUrl } = await sim.listen(0);
    const g = new LlmGateway({ backends: [{ name: 'sim', baseUrl, models: [MODEL], maxInFlight: 4 }] });
    try {
      const order: string[] = [];
      const a = Array.from({ length: 100 }, (_, i) => g.complete(ask(`a${i}`), { simulationId: 'A', agentId: `a${i}` }).then(() => order.push('A')));
      await new Promise((r) => setImmediate(r));
      const b = Array.from({ length: 5 }, (_, i) => g.complete(ask(`b${i}`), { simulationId: 'B', agentId: `b${i}` }).then(() => order.push('B')));
      await Promise.all([...a, ...b]);
      const lastB = order.lastIndexOf('B');
      expect(lastB).toBeLessThan(20); // round robin: B's 5 interleave with A's first ones
      expect(order.length - 1 - lastB).toBeGreaterThan(80); // most of A finishes after all of B
    } finally {
      await g.close();
      await sim.close();
    }
  });

  it('never exceeds maxInFlight at the backend (read from the simulator)', async () => {
    // Answers long enough (~0.2 s each) that all 8 slots fill even on a loaded machine; at 0.002
    // a CI run saw a peak of 6 because answers ended before the next request was sent.
    const sim = createLlmSimulator({ timeScale: 0.05, script: [{ match: {}, respond: { content: 'ok', completionTokens: 60 } }] });
    const { url, baseUrl } = await sim.listen(0);
    const g = new LlmGateway({ backends: [{ name: 'sim', baseUrl, models: [MODEL], maxInFlight: 8 }] });
    let maxSeen = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const t = await (await fetch(`${url}/metrics`)).text();
        const running = Number(/^vllm:num_requests_running\{[^}]*\} (\d+)/m.exec(t)![1]);
        const waiting = Number(/^vllm:num_requests_waiting\{[^}]*\} (\d+)/m.exec(t)![1]);
        maxSeen = Math.max(maxSeen, running + waiting);
        await new Promise((r) => setTimeout(r, 3));
      }
    })();
    try {
      await Promise.all(Array.from({ length: 80 }, (_, i) => g.complete(ask(`q${i}`), { simulationId: `s${i % 3}`, agentId: `a${i}` })));
      polling = false;
      await poll;
      expect(sim.stats().peakInEngine).toBe(8);
      expect(maxSeen).toBeLessThanOrEqual(8);
      expect(maxSeen).toBeGreaterThanOrEqual(4);
      expect(g.stats().backends[0].inFlight).toBe(0);
    } finally {
      polling = false;
      await g.close();
      await sim.close();
    }
  });

  it('several backends for one model share the load (least in flight)', async () => {
    const sims = [0, 1].map(() => createLlmSimulator({ timeScale: 0.001, script: [{ match: {}, respond: { content: 'ok', completionTokens: 50 } }] }));
    const urls = await Promise.all(sims.map((s) => s.listen(0)));
    const g = new LlmGateway({
      backends: [
        { name: 'one', baseUrl: urls[0].baseUrl, models: [MODEL, 'only-one'], maxInFlight: 5 },
        { name: 'two', baseUrl: urls[1].baseUrl, models: [MODEL], maxInFlight: 5 },
      ],
    });
    try {
      const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => g.complete(ask(`q${i}`), { simulationId: 's', agentId: `a${i}` })));
      const by = rs.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.backend]: (acc[r.backend] ?? 0) + 1 }), {});
      expect(by.one).toBeGreaterThanOrEqual(10);
      expect(by.two).toBeGreaterThanOrEqual(10);
      expect(sims[0].stats().peakInEngine).toBeLessThanOrEqual(5);
      expect(sims[1].stats().peakInEngine).toBeLessThanOrEqual(5);
      const err = await g.complete({ ...ask('x'), model: 'only-one' }, { simulationId: 's', agentId: 'z' }).catch((e) => e);
      expect(err.code).toBe('LLM_BAD_REQUEST'); // routed to backend "one", whose server does not know the model
      expect(err.backend).toBe('one');
    } finally {
      await g.close();
      await Promise.all(sims.map((s) => s.close()));
    }
  });
});
