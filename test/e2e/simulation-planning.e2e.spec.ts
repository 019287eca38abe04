import { aProjectBody } from '@swe-sim/testing';
import { SimulationStack, startSimulationStack } from '../support/simulation-stack';

/**
 * project-management, team-formation and agent-execution as processes, the LLM simulator as the
 * LLM: a simulation is started, teams are formed with reasons, planning poker runs through the LLM
 * (one feature diverges and is re-voted, one gets malformed answers first), and sprint 1 starts
 * with assigned features.
 */
describe('a simulation through team formation and planning poker', () => {
  let stack: SimulationStack;

  beforeAll(async () => {
    stack = await startSimulationStack('planning-diverges.json', {
      services: ['project-management', 'team-formation', 'agent-execution'],
      env: { LLM_MAX_ATTEMPTS: '1' },
    });
  });
  afterAll(() => stack?.stop());

  const post = (path: string, body: unknown) => stack.post(path, body);

  it('forms a team with reasons, estimates every feature through the LLM, and starts sprint 1', async () => {
    const project = await post('/projects', aProjectBody());
    expect(project.status).toBe(201);
    const started = await post(`/projects/${project.body.projectId}/simulations`, {
      seed: 7,
      teams: 1,
      teamSize: 3,
      process: { pokerDivergenceRatio: 2, pokerMaxRounds: 2 },
    });
    expect(started.status).toBe(201);
    const { simulationId } = started.body;

    const sim = await stack.waitFor(simulationId, (b) => b.status === 'running', 30_000);

    const events = await stack.events(simulationId);
    const of = (t: string) => events.filter((e) => e.type === t).map((e) => e.data);
    const team = of('TeamFormed')[0];
    expect(team.members).toHaveLength(3);
    team.members.forEach((m: any) => expect(m.reason.length).toBeGreaterThan(10));
    expect(of('TeamFormationCompleted')).toHaveLength(1);

    // slugify: round 1 diverges (2, 8, 3 in some order), the lowest and highest explain, round 2 agrees on 5
    const slug = (t: string) => of(t).filter((d) => d.featureId === 'slugify');
    expect(slug('PlanningPokerRoundStarted').map((d) => d.round)).toEqual([1, 2]);
    expect(slug('EstimateCast')).toHaveLength(6);
    expect(slug('EstimatesDiverged')[0]).toMatchObject({ round: 1, min: 2, max: 8 });
    expect(slug('EstimatesDiverged')[0].outliers.map((o: any) => o.points)).toEqual([2, 8]);
    expect(slug('EstimateAgreed')).toEqual([expect.objectContaining({ points: 5, rounds: 2, method: 'consensus' })]);

    // word-count: every answer is malformed JSON, the repair too: recorded fallback votes, never a stuck round
    const wc = (t: string) => of(t).filter((d) => d.featureId === 'word-count');
    expect(wc('EstimateCast').map((d) => [d.points, d.fallback, d.llmSeq])).toEqual([
      [5, true, null],
      [5, true, null],
      [5, true, null],
    ]);
    expect(wc('EstimateCast')[0].rationale).toContain('LLM_OUTPUT_INVALID');
    expect(wc('EstimateAgreed')).toEqual([expect.objectContaining({ points: 5, rounds: 1 })]);

    // every call is recorded: 6 answered votes for slugify, 3 failed ones for word-count
    expect(of('LlmCallCompleted')).toHaveLength(6);
    expect(of('LlmCallFailed').map((d) => d.error.code)).toEqual(['LLM_OUTPUT_INVALID', 'LLM_OUTPUT_INVALID', 'LLM_OUTPUT_INVALID']);

    expect(of('FeatureAssigned').map((d) => d.featureId).sort()).toEqual(['slugify', 'word-count']);
    const assigned = of('FeatureAssigned')[0];
    expect(assigned.driver).not.toBe(assigned.reviewer);
    expect(of('SprintStarted')[0]).toMatchObject({ sprint: 1 });
    expect(sim.sprint.number).toBe(1);
    expect(Object.keys(sim.sprint.committed).sort()).toEqual(['slugify', 'word-count']);
  });

  it('refuses a simulation for an unknown project or with invalid settings', async () => {
    expect((await post(`/projects/00000000-0000-4000-8000-000000000000/simulations`, {})).status).toBe(404);
    const project = await post('/projects', aProjectBody());
    const bad = await post(`/projects/${project.body.projectId}/simulations`, { teams: 0 });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'teams' } } });
    const unknown = await post(`/projects/${project.body.projectId}/simulations`, { process: { pairing: 'yes' } });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'process.pairing' } } });
  });
});
