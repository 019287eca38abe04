import { loadExample } from '../../examples/load-example';
import { compareHistories } from '../../apps/project-management/src/simulations/replay-simulation/history-comparison';
import { SimulationStack, finished, startSimulationStack } from '../support/simulation-stack';

/**
 * Replay and fork of the demo's simulation (the text-utils example, as `npm run demo` runs it),
 * through the four services as processes, real Postgres, real Docker and the LLM simulator.
 */
describe('replaying and forking a simulation', () => {
  const example = loadExample('text-utils');
  let stack: SimulationStack;
  let original: string;

  /** Chat-completion requests the simulator has received so far. */
  const llmRequests = async () => {
    const text = await (await fetch(`${stack.env.LLM_BASE_URL.replace(/\/v1$/, '')}/metrics`)).text();
    return Number(/^llm_sim_requests_total (\d+)/m.exec(text)![1]);
  };
  const history = async (simulationId: string) =>
    (
      await stack.db.pool.query(
        'SELECT stream_id AS "streamId", type, data, global_position::int AS "globalPosition" FROM events WHERE simulation_id = $1 ORDER BY global_position',
        [simulationId],
      )
    ).rows as { streamId: string; type: string; data: any; globalPosition: number }[];

  beforeAll(async () => {
    stack = await startSimulationStack(example.scriptPath);
    const project = await stack.post('/projects', example.body);
    const started = await stack.post(`/projects/${project.body.projectId}/simulations`, { seed: 42, teams: 1, teamSize: 3 });
    original = started.body.simulationId;
    const sim = await stack.waitFor(original, finished, 120_000);
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: example.body.backlog.length } });
  });
  afterAll(() => stack?.stop());

  it('the demo simulation replays identically, with no LLM call and no sandbox', async () => {
    const llmBefore = await llmRequests();
    const r = await stack.post(`/simulations/${original}/replay`, { waitMs: 120_000 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ originalId: original, status: 'compared', identical: true, firstDivergence: null });
    expect(r.body.compared.events).toBeGreaterThan(50);
    const replayId = r.body.replayId;
    expect(await llmRequests()).toBe(llmBefore);

    const replayed = await history(replayId);
    expect(replayed.filter((e) => ['SandboxRequested', 'CommandRequested', 'FileWriteRequested', 'CommandExecuted'].includes(e.type))).toEqual([]);
    // Every answer it used is in its own history, marked as taken from the original's recording.
    const calls = replayed.filter((e) => e.type === 'LlmCallCompleted');
    const originalCalls = (await history(original)).filter((e) => e.type === 'LlmCallCompleted');
    expect(calls).toHaveLength(originalCalls.length);
    expect(calls.every((c) => c.data.replayedFrom === original)).toBe(true);

    const sim = await stack.waitFor(replayId, (s) => s.replay !== undefined && s.replay !== null);
    expect(sim).toMatchObject({ status: 'completed', replayOf: { simulationId: original }, replay: { identical: true } });
    expect(sim.metrics.featuresDone).toBe(example.body.backlog.length);

    // Without waiting: 202 and the replay's id; its verdict comes to GET /simulations/{replayId}.
    const unwaited = await stack.post(`/simulations/${original}/replay`, { waitMs: 0 });
    expect(unwaited).toMatchObject({ status: 202, body: { originalId: original, status: 'running' } });
    const later = await stack.waitFor(unwaited.body.replayId, (s) => !!s.replay);
    expect(later.replay).toMatchObject({ identical: true, originalId: original });
  }, 180_000);

  it('a fork at a mid point with another temperature shares the history up to there, then runs live to completion', async () => {
    const before = await history(original);
    const answers = before.filter((e) => e.type === 'LlmCallCompleted');
    const cut = answers[Math.floor(answers.length / 2)].globalPosition; // half the LLM answers given, the agents mid-task
    const llmBefore = await llmRequests();
    const r = await stack.post(`/simulations/${original}/fork`, { atPosition: cut, overrides: { models: { default: { sampling: { temperature: 0.9 } } } } });
    expect(r.status).toBe(201);
    expect(r.body.forkOf).toEqual({ simulationId: original, atPosition: cut });
    const forkId = r.body.simulationId;
    const sim = await stack.waitFor(forkId, finished, 150_000);
    expect(sim).toMatchObject({ status: 'completed', forkOf: { simulationId: original, atPosition: cut }, metrics: { featuresDone: example.body.backlog.length } });

    const fork = await history(forkId);
    // The shared prefix: every stream the original's deciders wrote up to the cut is the fork's, event for event.
    const prefix = compareHistories({ simulationId: original, events: before }, { simulationId: forkId, events: fork }, { until: cut });
    expect(prefix).toMatchObject({ identical: true, firstDivergence: null });
    expect(prefix.compared.events).toBeGreaterThan(20);
    // Answers recorded by the cut were reused (none asked again); the rest were live, at the new temperature.
    const calls = fork.filter((e) => e.type === 'LlmCallCompleted');
    const reused = calls.filter((c) => c.data.replayedFrom === original);
    expect(reused).toHaveLength(before.filter((e) => e.type === 'LlmCallCompleted' && e.globalPosition <= cut).length);
    const live = calls.length - reused.length;
    expect(live).toBeGreaterThan(0);
    expect((await llmRequests()) - llmBefore).toBe(live);
    const liveRequest = fork.find((e) => e.type === 'LlmCallRequested' && !reused.some((c) => c.data.callKey.agentId === e.data.callKey.agentId && c.data.callKey.seq === e.data.callKey.seq))!;
    const body = liveRequest.data.request.blob ? JSON.parse((await stack.db.pool.query('SELECT content FROM blobs WHERE hash = $1', [liveRequest.data.request.blob])).rows[0].content.toString()) : liveRequest.data.request;
    expect(body.sampling.temperature).toBe(0.9);
    // The fork's sandboxes were real: its own workspace was built for the live part.
    expect(fork.some((e) => e.type === 'CommandExecuted')).toBe(true);

    // A fork replays too: its shared steps from the original's recording, its live ones from its own.
    const llmAfterFork = await llmRequests();
    const replay = await stack.post(`/simulations/${forkId}/replay`, { waitMs: 120_000 });
    expect(replay.body).toMatchObject({ status: 'compared', identical: true, firstDivergence: null });
    expect(await llmRequests()).toBe(llmAfterFork);
  }, 300_000);

  it('a replay whose recorded answer differs names the first divergence', async () => {
    // Change one recorded answer of the original (as if the agent code had changed what it asks,
    // the recording no longer fits): the replay must notice where its decisions part.
    const turn = (await history(original)).find((e) => e.type === 'AgentTurnTaken' && e.data.role === 'driver' && e.data.content)!;
    const { agentId, seq } = turn.data.llm;
    const tampered = await stack.db.pool.query(
      `UPDATE events SET data = jsonb_set(data, '{message,content}', '"I changed my mind."')
       WHERE simulation_id = $1 AND type = 'LlmCallCompleted' AND data->'callKey'->>'agentId' = $2 AND (data->'callKey'->>'seq')::int = $3 AND data->'message' ? 'content'`,
      [original, agentId, seq],
    );
    expect(tampered.rowCount).toBe(1);
    const r = await stack.post(`/simulations/${original}/replay`, { waitMs: 120_000 });
    expect(r.status).toBe(200);
    expect(r.body.identical).toBe(false);
    expect(r.body.firstDivergence).toMatchObject({
      streamId: `task-${turn.data.taskId}`,
      expected: { type: 'AgentTurnTaken', position: turn.globalPosition },
      actual: { type: 'AgentTurnTaken' },
    });
    expect(r.body.firstDivergence.differences.join('\n')).toContain('data.content: recorded');
  }, 180_000);

  it('refuses a replay of a running or unknown simulation, and a fork outside the history', async () => {
    expect((await stack.post(`/simulations/00000000-0000-4000-8000-000000000000/replay`, {})).body.error.code).toBe('SIMULATION_NOT_FOUND');
    expect((await stack.post(`/simulations/not-a-uuid/fork`, { atPosition: 1 })).status).toBe(400);
    const outside = await stack.post(`/simulations/${original}/fork`, { atPosition: 1 });
    expect(outside.status).toBe(400);
    expect(outside.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'atPosition' });
    const beyond = await stack.post(`/simulations/${original}/fork`, { atPosition: 2_000_000_000 });
    expect(beyond.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'atPosition' });
    const badOverride = await stack.post(`/simulations/${original}/fork`, { atPosition: 5, overrides: { models: { default: { sampling: { temperature: 7 } } } } });
    expect(badOverride.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'overrides.models.default.sampling.temperature' });
    expect((await stack.post(`/simulations/${original}/fork`, { atPosition: 5, overrides: { colour: 'red' } })).status).toBe(400);
    expect((await stack.post(`/simulations/${original}/replay`, { waitMs: -1 })).status).toBe(400);

    const project = await stack.post('/projects', example.body);
    const running = await stack.post(`/projects/${project.body.projectId}/simulations`, { seed: 1 });
    const refused = await stack.post(`/simulations/${running.body.simulationId}/replay`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('SIMULATION_RUNNING');
    await stack.post(`/simulations/${running.body.simulationId}/cancel`, {});
  }, 60_000);
});
