import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@swe-sim/testing';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * Planning poker under an LLM that stays down for one feature's votes: no fallback vote (a down LLM
 * is no opinion). Each vote is asked again as a new attempt, and past the bound it is suspended: the
 * simulation fails resumable. On resume the votes are asked again — their attempts go on past the
 * first episode's — and the simulation plans, builds and completes as without the fault.
 */
describe('votes suspended by a down LLM', () => {
  let stack: SimulationStack;
  let dir: string;

  beforeAll(async () => {
    // simulation-complete.json, with slugify's estimates answered 503 nine times: three voters × three attempts.
    dir = mkdtempSync(join(tmpdir(), 'swe-sim-vote-'));
    const script = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/scripts/simulation-complete.json'), 'utf8'));
    script.rules.unshift({ name: 'slugify-estimates-down', match: { role: 'estimator', contains: 'Estimate feature slugify' }, fault: { kind: '503', first: 9 } });
    writeFileSync(join(dir, 'script.json'), JSON.stringify(script));
    stack = await startSimulationStack(join(dir, 'script.json'), { env: { LLM_MAX_ATTEMPTS: '1', TASK_RETRY_MAX_ATTEMPTS: '3', TASK_RETRY_BASE_MS: '20' } });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the simulation resumable with no vote cast, and asks again on resume', async () => {
    const created = await stack.post('/projects', twoModuleProject());
    const started = await stack.post(`/projects/${created.body.projectId}/simulations`, { seed: 11, teams: 1, teamSize: 3, process: { pairing: true, review: true, swapEveryTurns: 2 } });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;

    const failed = await stack.waitFor(simulationId, finished);
    expect(failed.status).toBe('failed');
    let all = await stack.events(simulationId);
    const of = (t: string) => all.filter((e) => e.type === t).map((e) => e.data);
    expect(of('SimulationFailed')).toEqual([expect.objectContaining({ code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true })]);
    const suspended = of('EstimateSuspended');
    expect(suspended.map((s) => s.featureId)).toEqual(['slugify', 'slugify', 'slugify']);
    expect(suspended.every((s) => s.code === 'LLM_BACKEND_UNAVAILABLE')).toBe(true);
    // No fallback: not one slugify vote was cast.
    expect(of('EstimateCast').filter((c) => c.featureId === 'slugify')).toEqual([]);

    expect((await stack.post(`/simulations/${simulationId}/resume`, {})).status).toBeLessThan(300);
    const sim = await stack.waitFor(simulationId, (s) => s.status === 'completed');
    expect(sim.metrics).toMatchObject({ featuresTotal: 2, featuresDone: 2 });
    all = await stack.events(simulationId);
    const votes = of('EstimateCast').filter((c) => c.featureId === 'slugify' && c.round === 1);
    expect(votes).toHaveLength(3);
    expect(votes.every((v) => v.fallback === false && v.points === 3)).toBe(true);
    // Each voter's answered call is an attempt past the three failed ones of the first episode.
    const answered = of('LlmCallCompleted').filter((c) => c.callKey.agentId.includes('poker-s1-slugify'));
    expect(answered.map((c) => c.callKey.attempt)).toEqual([3, 3, 3]);
  });
});
