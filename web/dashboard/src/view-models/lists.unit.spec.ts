import { conversationsOf } from './conversations';
import { isActive, originOf, simulationRow } from './lists';
import { parseRoute, routeHash } from './route';

describe('list rows, origins, routes and conversations', () => {
  const summary = { simulationId: 'aaaaaaaa-1111', projectId: 'p', status: 'running' as const, startedAt: null, updatedAt: '' };

  it('a row shows progress and tokens once the details are known', () => {
    expect(simulationRow(summary)).toMatchObject({ status: 'running', progress: '', tokens: null });
    const details: any = { ...summary, status: 'completed', updatedAt: '2026-01-01T00:00:02Z', metrics: { featuresDone: 2, featuresTotal: 3, tokensByRole: { engineer: { prompt: 10, completion: 5 }, reviewer: { prompt: 1, completion: 1 } } } };
    expect(simulationRow({ ...summary, updatedAt: '2026-01-01T00:00:01Z' }, details)).toMatchObject({ status: 'completed', progress: '2/3 features', tokens: 17 });
    // Details read before the list's latest answer do not hold back its status.
    expect(simulationRow({ ...summary, status: 'failed', updatedAt: '2026-01-01T00:00:03Z' }, details).status).toBe('failed');
    expect([isActive('running'), isActive('queued'), isActive('completed')]).toEqual([true, true, false]);
  });

  it("names a fork's and a replay's origin (a replay's replayOf is an object)", () => {
    expect(originOf({ forkOf: { simulationId: 'bbbbbbbb-2', atPosition: 40 } })).toBe('fork of bbbbbbbb at 40');
    expect(originOf({ replayOf: { simulationId: 'cccccccc-3', recordedIn: 'x' } })).toBe('replay of cccccccc');
    expect(originOf({})).toBe('');
  });

  it('routes round-trip through the hash', () => {
    for (const hash of ['#/', '#/projects/p1', '#/simulations/s1', '#/simulations/s1?at=42', '#/experiments/e1', '#/experiments/e1?metric=tokens']) expect(routeHash(parseRoute(hash))).toBe(hash);
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#/simulations/s1?at=abc')).toEqual({ page: 'simulation', simulationId: 's1', at: null });
    expect(parseRoute('#/nowhere/x/y').page).toBe('not-found');
  });

  it("groups the chat export's calls by agent, the last message being the answer", () => {
    const call = (agentId: string, seq: number) => ({
      messages: [{ role: 'user', content: `q${seq}` }, { role: 'assistant', content: `a${seq}` }],
      metadata: { agentId, seq, role: 'engineer', usage: { promptTokens: 3, completionTokens: 2 } },
    });
    const [ada, bob] = conversationsOf([call('bob/x', 0), call('ada/y', 0), call('ada/y', 1)]);
    expect(ada.agentId).toBe('ada/y');
    expect(ada.calls.map((c) => [c.seq, c.messages.length, c.answer.content, c.tokens])).toEqual([[0, 1, 'a0', 5], [1, 1, 'a1', 5]]);
    expect(bob.calls).toHaveLength(1);
  });
});
