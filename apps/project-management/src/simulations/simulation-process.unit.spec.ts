import { randomUUID } from 'node:crypto';
import { ProcessInput, Reaction, SimulationProcess, hasEnded, processInput, queueProcess, startProcess } from './simulation-process';

const T0 = '2026-01-01T00:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

function aStart(overrides: { pairing?: boolean; review?: boolean; sprintsMax?: number; capacity?: number } = {}) {
  const simulationId = randomUUID();
  const persona = (personaId: string, role: string, seniority: string) => ({ personaId, name: personaId, role, seniority, skills: { python: 3 }, traits: [] });
  return {
    simulationId,
    project: {
      projectId: randomUUID(),
      name: 'p',
      description: '',
      stack: 'python',
      acceptance: { command: 'pytest', files: [{ path: 't.py', hash: 'a'.repeat(64), size: 1 }] },
      scaffold: [],
      backlog: ['f1', 'f2', 'f3'].map((featureId) => ({ featureId, title: featureId, description: '', acceptanceCriteria: [], tests: [`t.py::${featureId}`], skills: [] })),
    },
    config: {
      seed: 1,
      teams: 1,
      teamSize: 3,
      roster: [persona('ada', 'tech-lead', 'staff'), persona('bob', 'engineer', 'junior'), persona('cy', 'tester', 'mid')],
      models: { default: { model: 'm' }, byRole: {} },
      sprints: { max: overrides.sprintsMax ?? 3, capacityPointsPerMember: overrides.capacity ?? 3 },
      process: { pairing: overrides.pairing ?? true, review: overrides.review ?? true, swapEveryTurns: 3, pokerDivergenceRatio: 2, pokerMaxRounds: 2 },
      budgets: { maxTurnsPerTask: 20, maxTokens: 100_000, maxWallTimeMs: 3_600_000 },
    },
  } as never as Extract<ProcessInput, { type: 'SimulationStarted' }>['data'];
}

/** given inputs → then the reactions of the last one; the state is a fold. */
function run(start: ReturnType<typeof aStart>, inputs: Array<[ProcessInput['type'], unknown]>) {
  let state: SimulationProcess = startProcess(start, T0);
  let reactions: Reaction[] = [];
  inputs.forEach(([type, data], i) => {
    ({ state, reactions } = processInput(state, { type, data } as ProcessInput, at(i + 1)));
  });
  return { state, reactions, types: reactions.flatMap((r) => r.events.map((e) => e.type)) };
}

const formed = (sim: string): Array<[ProcessInput['type'], unknown]> => [
  ['TeamFormed', { simulationId: sim, teamId: 't1', name: 'T1', members: [{ personaId: 'ada', seniority: 'staff' }, { personaId: 'bob', seniority: 'junior' }, { personaId: 'cy', seniority: 'mid' }], features: ['f1', 'f2', 'f3'].map((featureId) => ({ featureId, reason: '' })), uncoveredSkills: [] }],
  ['PairFormed', { simulationId: sim, teamId: 't1', pairId: 'p1', driver: 'bob', navigator: 'ada', reason: '' }],
  ['TeamFormationCompleted', { simulationId: sim, teamIds: ['t1'] }],
];
const agreed = (sim: string, featureId: string, points: number, sprint = 1): [ProcessInput['type'], unknown] => [
  'EstimateAgreed',
  { simulationId: sim, sprint, teamId: 't1', featureId, points, rounds: 1, method: 'consensus' },
];
const effort = { turns: 4, promptTokens: 100, completionTokens: 50 };
const done = (sim: string, featureId: string, sprint = 1): [ProcessInput['type'], unknown] => [
  'FeatureDone',
  { simulationId: sim, sprint, teamId: 't1', featureId, taskId: `${featureId}-task`, effort, acceptanceTestsPassed: 1 },
];
const abandoned = (sim: string, featureId: string, sprint = 1): [ProcessInput['type'], unknown] => [
  'FeatureAbandoned',
  { simulationId: sim, sprint, teamId: 't1', featureId, taskId: 'x', effort, code: 'BUDGET_EXHAUSTED', reason: 'out of turns' },
];

describe('simulation process', () => {
  it('given teams formed, then sprint 1 planning starts with each team’s features as candidates', () => {
    const s = aStart();
    const { reactions } = run(s, formed(s.simulationId));
    expect(reactions).toEqual([
      {
        streamId: `sprint-${s.simulationId}-1`,
        expectedVersion: 'no_stream',
        events: [{ type: 'SprintPlanningStarted', data: { simulationId: s.simulationId, sprint: 1, candidates: [{ teamId: 't1', featureIds: ['f1', 'f2', 'f3'] }] } }],
      },
    ]);
  });

  it('waits for every estimate, then commits by priority within capacity and assigns the pair and a reviewer', () => {
    const s = aStart({ capacity: 3 }); // 3 members × 3 = 9 points
    const sim = s.simulationId;
    expect(run(s, [...formed(sim), agreed(sim, 'f1', 5), agreed(sim, 'f2', 8)]).reactions).toEqual([]);
    const { reactions, types, state } = run(s, [...formed(sim), agreed(sim, 'f1', 5), agreed(sim, 'f2', 8), agreed(sim, 'f3', 3)]);
    expect(types).toEqual(['FeatureAssigned', 'FeatureAssigned', 'SprintStarted']);
    const assigned = reactions[0].events.slice(0, 2).map((e) => e.data as Record<string, unknown>);
    expect(assigned.map((a) => a.featureId)).toEqual(['f1', 'f3']); // f2 (8) does not fit after f1 (5); f3 (3) does
    expect(assigned[0]).toMatchObject({ driver: 'bob', navigator: 'ada', reviewer: 'cy' });
    expect(assigned[1]).toMatchObject({ driver: 'cy', navigator: null, reviewer: 'ada' }); // the member outside the pair, solo
    expect(reactions[0].events[2].data).toMatchObject({ committedPoints: 8 });
    expect(state.status).toBe('running');
  });

  it('never makes an agent program a reviewer (a review is the built-in loop); with none other, no reviewer', () => {
    const s = aStart({ capacity: 3 }) as any;
    s.config.roster[0].program = { files: [{ path: 'a.py', hash: 'a'.repeat(64), size: 1 }], command: 'python3 a.py', stack: 'python', timeLimitMs: 60_000 }; // ada
    const sim = s.simulationId;
    const { reactions } = run(s, [...formed(sim), agreed(sim, 'f1', 5), agreed(sim, 'f2', 8), agreed(sim, 'f3', 3)]);
    const assigned = reactions[0].events.slice(0, 2).map((e) => e.data as Record<string, unknown>);
    expect(assigned[0]).toMatchObject({ driver: 'bob', reviewer: 'cy' });
    expect(assigned[1]).toMatchObject({ driver: 'cy', reviewer: 'bob' }); // ada, the most senior, is a program: the next one reviews
  });

  it('gives a feature to whoever fits its skills best, then to the least loaded', () => {
    const s = aStart({ pairing: false, review: false, capacity: 20 }) as any;
    s.config.roster[2].skills = { python: 3, algorithms: 5 }; // cy
    s.project.backlog[0].skills = ['algorithms']; // f1
    s.project.backlog[2].skills = ['algorithms']; // f3
    const sim = s.simulationId;
    const { reactions } = run(s, [...formed(sim), agreed(sim, 'f1', 2), agreed(sim, 'f2', 2), agreed(sim, 'f3', 2)]);
    const assigned = reactions[0].events.slice(0, 3).map((e) => e.data as Record<string, unknown>);
    expect(assigned.map((a) => [a.featureId, a.driver])).toEqual([
      ['f1', 'cy'],
      ['f2', 'ada'],
      ['f3', 'cy'],
    ]);
    expect(assigned[0].reason).toContain('best fit for algorithms');
  });

  it('without pairing or review, members take features in turn and nobody reviews', () => {
    const s = aStart({ pairing: false, review: false, capacity: 20 });
    const sim = s.simulationId;
    const { reactions } = run(s, [...formed(sim), agreed(sim, 'f1', 1), agreed(sim, 'f2', 1), agreed(sim, 'f3', 1)]);
    const assigned = reactions[0].events.slice(0, 3).map((e) => e.data as Record<string, unknown>);
    expect(assigned.map((a) => [a.driver, a.navigator, a.reviewer])).toEqual([
      ['ada', null, null],
      ['bob', null, null],
      ['cy', null, null],
    ]);
  });

  it('ends the sprint when every committed feature is finished, carries over the rest, and plans the next sprint once the teams are reviewed', () => {
    const s = aStart({ capacity: 3 });
    const sim = s.simulationId;
    const sprint1 = [...formed(sim), agreed(sim, 'f1', 5), agreed(sim, 'f2', 8), agreed(sim, 'f3', 3), done(sim, 'f1'), abandoned(sim, 'f3')];
    const ended = run(s, sprint1);
    expect(ended.types).toEqual(['SprintEnded']);
    expect(ended.reactions[0].events[0].data).toMatchObject({ sprint: 1, committedPoints: 8, deliveredPoints: 5, velocity: 5, done: ['f1'], carriedOver: ['f3'], doneSoFar: ['f1'] });
    expect(ended.state.status).toBe('reviewing');
    const reviewed: [ProcessInput['type'], unknown] = ['TeamsReviewed', { simulationId: sim, beforeSprint: 2, moves: 0, reason: 'no move helps' }];
    const next = run(s, [...sprint1, reviewed]);
    expect(next.types).toEqual(['SprintPlanningStarted']);
    expect(next.reactions[0].events[0].data).toMatchObject({ sprint: 2, candidates: [{ teamId: 't1', featureIds: ['f2', 'f3'] }] });
    expect(run(s, [...sprint1, reviewed, reviewed]).reactions).toEqual([]); // a second review plans nothing
  });

  it('moves a member between teams before the next sprint, breaking the pair it leaves', () => {
    const s = aStart({ capacity: 3 });
    const sim = s.simulationId;
    const second: [ProcessInput['type'], unknown] = ['TeamFormed', { simulationId: sim, teamId: 't2', name: 'T2', members: [{ personaId: 'dee', seniority: 'mid' }], features: [], uncoveredSkills: [] }];
    const moved: [ProcessInput['type'], unknown] = ['MemberMoved', { simulationId: sim, personaId: 'ada', fromTeamId: 't1', toTeamId: 't2', beforeSprint: 2, reason: 'algorithms needed in t2' }];
    const { state } = run(s, [second, ...formed(sim), moved]);
    expect(state.teams.t1.members.map((m) => m.personaId)).toEqual(['bob', 'cy']);
    expect(state.teams.t1.pairs).toEqual([]);
    expect(state.teams.t2.members.map((m) => m.personaId)).toEqual(['dee', 'ada']);
  });

  it('completes with metrics when the backlog is done, and ignores what arrives after', () => {
    const s = aStart({ capacity: 10 });
    const sim = s.simulationId;
    const llm: [ProcessInput['type'], unknown] = ['LlmCallCompleted', { callKey: { simulationId: sim, agentId: 'bob/feature-f1', seq: 0 }, usage: { promptTokens: 70, completionTokens: 30 }, timings: { queueMs: 0, latencyMs: 250 } }];
    const inputs = [...formed(sim), agreed(sim, 'f1', 3), agreed(sim, 'f2', 3), agreed(sim, 'f3', 3), llm, done(sim, 'f1'), done(sim, 'f2'), done(sim, 'f3')];
    const { reactions, types, state } = run(s, inputs);
    expect(types).toEqual(['SprintEnded', 'SimulationCompleted']);
    expect(reactions[1].events[0].data).toMatchObject({
      metrics: {
        featuresTotal: 3,
        featuresDone: 3,
        acceptanceTestsTotal: 3,
        acceptanceTestsPassed: 3,
        sprints: [{ sprint: 1, committedPoints: 9, deliveredPoints: 9 }],
        tokensByRole: { engineer: { prompt: 70, completion: 30 } },
        llmTimeMs: 250,
        wallTimeMs: inputs.length * 1000,
      },
    });
    expect(state.status).toBe('completed');
    expect(processInput(state, { type: 'FeatureDone', data: done(sim, 'f1')[1] } as ProcessInput, at(99)).reactions).toEqual([]);
  });

  it('stops after the last sprint even with features left, and fails when teams cannot be formed', () => {
    const s = aStart({ sprintsMax: 1, capacity: 20 });
    const sim = s.simulationId;
    const { types } = run(s, [...formed(sim), agreed(sim, 'f1', 1), agreed(sim, 'f2', 1), agreed(sim, 'f3', 1), done(sim, 'f1'), abandoned(sim, 'f2'), abandoned(sim, 'f3')]);
    expect(types).toEqual(['SprintEnded', 'SimulationCompleted']);
    const failed = run(s, [['TeamFormationFailed', { simulationId: sim, code: 'ROSTER_TOO_SMALL', reason: 'x' }]]);
    expect(failed.types).toEqual(['SimulationFailed']);
    expect(failed.reactions[0].events[0].data).toMatchObject({ code: 'ROSTER_TOO_SMALL' });
  });

  it('fails the simulation when its token or wall-time budget is spent, and sums sandbox time', () => {
    const s = aStart();
    const sim = s.simulationId;
    const llm = (tokens: number): [ProcessInput['type'], unknown] => ['LlmCallCompleted', { callKey: { simulationId: sim, agentId: 'bob/x', seq: 0 }, usage: { promptTokens: tokens, completionTokens: 0 }, timings: { queueMs: 0, latencyMs: 1 } }];
    const overTokens = run(s, [...formed(sim), llm(60_000), llm(50_000)]);
    expect(overTokens.types).toEqual(['SimulationFailed']);
    expect(overTokens.reactions[0].events[0].data).toMatchObject({ code: 'BUDGET_EXHAUSTED', reason: expect.stringContaining('110000 tokens') });
    // one input per second in run(); the budget is an hour
    let state = startProcess(s, T0);
    state = processInput(state, { type: 'TeamFormed', data: formed(sim)[0][1] } as ProcessInput, at(60)).state;
    const late = processInput(state, { type: 'PairFormed', data: formed(sim)[1][1] } as ProcessInput, at(3601));
    expect(late.reactions[0].events[0]).toMatchObject({ type: 'SimulationFailed', data: { code: 'BUDGET_EXHAUSTED' } });
    const cmd = (ms: number): [ProcessInput['type'], unknown] => ['CommandExecuted', { sandboxId: 'x', requestId: sim, exitCode: 0, stdoutBytes: 0, stderrBytes: 0, truncated: false, durationMs: ms, timedOut: false, oomKilled: false, pidsLimitHit: false }];
    expect(run(s, [...formed(sim), cmd(120), cmd(80)]).state.sandboxTimeMs).toBe(200);
  });

  it('ignores estimates and outcomes of other sprints or features, and duplicates', () => {
    const s = aStart({ capacity: 10 });
    const sim = s.simulationId;
    const base = [...formed(sim), agreed(sim, 'f1', 3), agreed(sim, 'f2', 3), agreed(sim, 'f3', 3)];
    expect(run(s, [...base, done(sim, 'f1', 2)]).reactions).toEqual([]);
    expect(run(s, [...base, done(sim, 'f1'), done(sim, 'f1')]).reactions).toEqual([]);
    expect(run(s, [...formed(sim), agreed(sim, 'zz', 3)]).state.estimates).toEqual({});
  });

  it('fails, naming the service and the error, when a service gives up on one of its events', () => {
    const s = aStart();
    const sim = s.simulationId;
    const parked: [ProcessInput['type'], unknown] = ['EventDeadLettered', { subscription: 'agent-execution', eventId: randomUUID(), type: 'FeatureAssigned', attempts: 5, error: 'no such persona' }];
    const { types, reactions, state } = run(s, [...formed(sim), agreed(sim, 'f1', 1), agreed(sim, 'f2', 1), agreed(sim, 'f3', 1), parked]);
    expect(types).toEqual(['SimulationFailed']);
    expect(reactions[0].events[0].data).toMatchObject({ code: 'EVENT_DEAD_LETTERED', reason: expect.stringMatching(/^agent-execution gave up on FeatureAssigned .* after 5 attempts: no such persona$/) });
    expect(state.status).toBe('failed');
  });

  describe('a resumable failure (infrastructure)', () => {
    const suspended = (sim: string, taskId = 't1.f1.1'): [ProcessInput['type'], unknown] => [
      'AgentTaskSuspended',
      { taskId, simulationId: sim, step: 'llm', code: 'LLM_UNAVAILABLE', reason: 'vLLM answered 503 five times' },
    ];
    const resumed = (sim: string, resumption = 1): [ProcessInput['type'], unknown] => ['SimulationResumed', { simulationId: sim, resumption, reason: 'vLLM is back' }];
    const running = (sim: string) => [...formed(sim), agreed(sim, 'f1', 3), agreed(sim, 'f2', 3), agreed(sim, 'f3', 3)];

    it('given a running sprint, when a task is suspended, then the simulation fails resumable, naming the task, its step and code — once', () => {
      const s = aStart({ capacity: 10 });
      const sim = s.simulationId;
      const { types, reactions, state } = run(s, [...running(sim), suspended(sim)]);
      expect(types).toEqual(['SimulationFailed']);
      expect(reactions[0]).toMatchObject({ streamId: `simulation-${sim}` });
      expect(reactions[0].events[0].data).toMatchObject({
        code: 'INFRASTRUCTURE_UNAVAILABLE',
        resumable: true,
        reason: expect.stringMatching(/task t1\.f1\.1 .*llm step \(LLM_UNAVAILABLE\): vLLM answered 503/),
      });
      expect(state).toMatchObject({ status: 'failed', failure: { code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true }, suspension: { resumeTo: 'running' } });
      expect(hasEnded(state)).toBe(false);
      // More suspensions of the same episode add nothing.
      expect(run(s, [...running(sim), suspended(sim), suspended(sim, 't1.f2.1')]).reactions).toEqual([]);
    });

    it('folds outcomes that arrive while it is failed, and ends the sprint they finish only when it is resumed', () => {
      const s = aStart({ capacity: 10, sprintsMax: 2 });
      const sim = s.simulationId;
      const meanwhile = [...running(sim), done(sim, 'f1'), suspended(sim, 't1.f2.1'), done(sim, 'f3'), abandoned(sim, 'f2')];
      const failed = run(s, meanwhile);
      expect(failed.reactions).toEqual([]); // the sprint's end waits: a failed simulation starts nothing
      expect(failed.state).toMatchObject({ status: 'failed', done: ['f1', 'f3'], outcomes: { f1: 'done', f2: 'abandoned', f3: 'done' } });
      const back = run(s, [...meanwhile, resumed(sim)]);
      expect(back.types).toEqual(['SprintEnded']);
      expect(back.reactions[0].events[0].data).toMatchObject({ sprint: 1, done: ['f1', 'f3'], carriedOver: ['f2'] });
      expect(back.state).toMatchObject({ status: 'reviewing', suspension: null, resumptions: 1, failure: { resumable: true } });
    });

    it('goes back to the status it had, and accepts its inputs again', () => {
      const s = aStart({ capacity: 10 });
      const sim = s.simulationId;
      const inPlanning = [...formed(sim), agreed(sim, 'f1', 3), suspended(sim), resumed(sim)];
      const back = run(s, inPlanning);
      expect(back.reactions).toEqual([]);
      expect(back.state.status).toBe('planning');
      expect(run(s, [...inPlanning, agreed(sim, 'f2', 3), agreed(sim, 'f3', 3)]).types).toEqual(['FeatureAssigned', 'FeatureAssigned', 'FeatureAssigned', 'SprintStarted']);
      // A second episode fails it again, resumption 2 brings it back.
      const twice = run(s, [...inPlanning, suspended(sim, 'vote'), resumed(sim, 2)]);
      expect(run(s, [...inPlanning, suspended(sim, 'vote')]).types).toEqual(['SimulationFailed']);
      expect(twice.state).toMatchObject({ status: 'planning', resumptions: 2 });
    });

    it('takes a suspension decided before the last resume (fewer resumptions than there have been) for the old episode, not a new fault', () => {
      const s = aStart({ capacity: 10 });
      const sim = s.simulationId;
      const stale: [ProcessInput['type'], unknown] = ['AgentTaskSuspended', { taskId: 't1.f2.1', simulationId: sim, step: 'sandbox', code: 'SIMULATION_SUSPENDED', reason: 'the simulation is suspended', resumptions: 0 }];
      const fresh: [ProcessInput['type'], unknown] = ['AgentTaskSuspended', { taskId: 't1.f2.1', simulationId: sim, step: 'llm', code: 'LLM_UNAVAILABLE', reason: '503', resumptions: 1 }];
      const base = [...running(sim), suspended(sim), resumed(sim)];
      expect(run(s, [...base, stale])).toMatchObject({ reactions: [], state: { status: 'running' } });
      expect(run(s, [...base, fresh]).types).toEqual(['SimulationFailed']);
    });

    it('waits queued while its resume has no slot', () => {
      const s = aStart({ capacity: 10 });
      const sim = s.simulationId;
      const resumeQueued: [ProcessInput['type'], unknown] = ['SimulationQueued', { simulationId: sim, projectId: s.project.projectId, resume: { resumption: 1, reason: 'x' } }];
      const waiting = run(s, [...running(sim), suspended(sim), resumeQueued]);
      expect(waiting.state.status).toBe('queued');
      expect(run(s, [...running(sim), suspended(sim), resumeQueued, resumed(sim)]).state.status).toBe('running');
    });

    it('does not count the time it spent failed against the wall-time budget, nor in its wall time', () => {
      const s = aStart({ capacity: 10 }); // budget: one hour
      const sim = s.simulationId;
      let state = startProcess(s, T0);
      const feed = (input: [ProcessInput['type'], unknown], seconds: number) => {
        const r = processInput(state, { type: input[0], data: input[1] } as ProcessInput, at(seconds));
        state = r.state;
        return r;
      };
      running(sim).forEach((input, i) => feed(input, i + 1));
      feed(suspended(sim), 600); // failed after 10 minutes
      feed(done(sim, 'f1'), 3 * 3600); // folded while failed: no budget check
      expect(feed(resumed(sim), 5 * 3600).reactions).toEqual([]);
      // Resumed after 5 hours, 10 minutes of it running: 40 more minutes are within the hour…
      expect(feed(done(sim, 'f2'), 5 * 3600 + 2400).reactions).toEqual([]);
      // …and then it is spent.
      const over = feed(['CommandExecuted', { sandboxId: 'x', requestId: sim, exitCode: 0, stdoutBytes: 0, stderrBytes: 0, truncated: false, durationMs: 1, timedOut: false, oomKilled: false, pidsLimitHit: false }], 5 * 3600 + 3100);
      expect(over.reactions[0].events[0]).toMatchObject({ type: 'SimulationFailed', data: { code: 'BUDGET_EXHAUSTED', metrics: { wallTimeMs: 3_700_000 } } });
    });

    it('ends for good on a cancel or a failure that is not infrastructure, at once', () => {
      const s = aStart({ capacity: 10 });
      const sim = s.simulationId;
      const cancelled = run(s, [...running(sim), suspended(sim), ['SimulationCancelled', { simulationId: sim, reason: 'enough' }]]);
      expect(cancelled.state.status).toBe('cancelled');
      expect(hasEnded(cancelled.state)).toBe(true);
      const parked: [ProcessInput['type'], unknown] = ['EventDeadLettered', { subscription: 'team-formation', eventId: randomUUID(), type: 'SprintEnded', attempts: 5, error: 'bug' }];
      const dead = run(s, [...running(sim), suspended(sim), parked]);
      expect(dead.types).toEqual(['SimulationFailed']);
      expect(dead.reactions[0].events[0].data).toMatchObject({ code: 'EVENT_DEAD_LETTERED' });
      expect((dead.reactions[0].events[0].data as { resumable?: boolean }).resumable).toBeUndefined();
      expect(hasEnded(dead.state)).toBe(true);
      expect(run(s, [...running(sim), suspended(sim), parked, resumed(sim)]).reactions).toEqual([]);
    });
  });

  describe('queued', () => {
    it('waits for its slot: nothing moves it but its start (which starts the clock) or a cancel', () => {
      const s = aStart();
      const sim = s.simulationId;
      let state = queueProcess(s, T0);
      expect(state.status).toBe('queued');
      expect(hasEnded(state)).toBe(false);
      const ignored = processInput(state, { type: 'TeamFormationCompleted', data: { simulationId: sim, teamIds: ['t1'] } } as ProcessInput, at(1));
      expect(ignored).toEqual({ state, reactions: [] });
      state = processInput(state, { type: 'SimulationStarted', data: s } as ProcessInput, at(100)).state;
      expect(state).toMatchObject({ status: 'forming', startedAt: at(100), queuedAt: T0 });
      const inputs = formed(sim);
      inputs.forEach(([type, data], i) => (state = processInput(state, { type, data } as ProcessInput, at(101 + i)).state));
      expect(state.status).toBe('planning');
      const cancelled = processInput(queueProcess(s, T0), { type: 'SimulationCancelled', data: { simulationId: sim, reason: 'x' } } as ProcessInput, at(1));
      expect(cancelled.state.status).toBe('cancelled');
    });
  });
});
