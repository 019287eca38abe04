import { randomUUID } from 'node:crypto';
import { EventData, ExperimentCreated } from '@swe-sim/contracts';
import {
  ExperimentCommand,
  ExperimentEvent,
  ExperimentExistsError,
  ExperimentExtensionError,
  ExperimentNotFoundError,
  ExperimentStatusError,
  RESUMES_PER_ATTEMPT,
  decideExperiment,
  evolveExperiment,
  initialExperimentState,
  runSimulationId,
} from './experiment.decider';

const experimentId = randomUUID();
const projectId = randomUUID();
const created = (settings: Partial<EventData<typeof ExperimentCreated>['settings']> = {}): ExperimentEvent => ({
  type: 'ExperimentCreated',
  data: {
    experimentId,
    name: 'temperature',
    projectIds: [projectId],
    design: { type: 'seeds' },
    variants: [
      { name: 'cold', control: true, overrides: {} },
      { name: 'hot', control: false, overrides: { models: { default: { sampling: { temperature: 0.9 } } } } },
    ],
    seeds: [1, 2],
    settings: { concurrency: 3, tokenBudget: null, maxRetries: 1, ...settings },
  },
});
const fold = (events: ExperimentEvent[]) => events.reduce(evolveExperiment, initialExperimentState);
const given = (events: ExperimentEvent[]) => ({
  when: (command: ExperimentCommand) => decideExperiment(command, fold(events)),
  /** Applies the commands in turn, each on what the previous decided. */
  then: (...commands: ExperimentCommand[]) => commands.reduce((es, c) => [...es, ...decideExperiment(c, fold(es))], events),
});
const start: ExperimentCommand = { type: 'StartRuns' };
const end = (simulationId: string, e: Partial<Extract<ExperimentCommand, { type: 'EndRun' }>['end']> = {}): ExperimentCommand => ({
  type: 'EndRun',
  simulationId,
  end: { kind: 'completed', tokens: 100, metrics: { featuresDone: 2 }, ...e },
});
const startedIds = (events: ExperimentEvent[]) => events.filter((e) => e.type === 'ExperimentRunStarted').map((e) => (e.data as { simulationId: string }).simulationId);

describe('experiment decider', () => {
  it('given nothing, when created, then ExperimentCreated; twice is refused', () => {
    const [e] = given([]).when({ type: 'CreateExperiment', data: created().data as never });
    expect(e.type).toBe('ExperimentCreated');
    expect(() => given([created()]).when({ type: 'CreateExperiment', data: created().data as never })).toThrow(ExperimentExistsError);
    expect(() => given([]).when(start)).toThrow(ExperimentNotFoundError);
  });

  it('starts runs up to the concurrency, seed by seed with every variant, each with an id derived from (experiment, run, attempt)', () => {
    const decided = given([created()]).when(start);
    expect(decided.map((e) => [(e.data as any).variant, (e.data as any).seed])).toEqual([['cold', 1], ['hot', 1], ['cold', 2]]);
    expect(startedIds(decided)[0]).toBe(runSimulationId(experimentId, `cold/1/${projectId}`, 1));
    // Deciding again on what was decided starts nothing more: full.
    expect(given([created(), ...decided]).when(start)).toEqual([]);
  });

  it('counts completed runs, starts the next as one ends, and completes when none is left', () => {
    const events = given([created()]).then(start);
    const [first, ...rest] = startedIds(events);
    const after = given(events).then(end(first), start);
    expect(after.slice(events.length).map((e) => e.type)).toEqual(['ExperimentRunEnded', 'ExperimentRunStarted']);
    const all = given(after).then(...[...rest, startedIds(after.slice(events.length))[0]].map((id) => end(id)), start);
    expect(all[all.length - 1]).toEqual({ type: 'ExperimentCompleted', data: { experimentId, runsCounted: 4, runsAbandoned: 0 } });
    expect(fold(all).runs.every((r) => r.counted && r.metrics?.featuresDone === 2)).toBe(true);
    expect(fold(all).tokensUsed).toBe(400);
  });

  it('an end of a simulation it does not run (an earlier attempt, twice) decides nothing', () => {
    const events = given([created()]).then(start);
    expect(given(events).when(end(randomUUID()))).toEqual([]);
    const once = given(events).then(end(startedIds(events)[0]));
    expect(given(once).when(end(startedIds(events)[0]))).toEqual([]);
  });

  it('resumes an infrastructure failure through the resume path, then retries it as a new attempt, then abandons it', () => {
    const events = given([created({ concurrency: 1 })]).then(start);
    const [sim] = startedIds(events);
    const infra = { kind: 'failed' as const, code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true, tokens: 5 };
    let es = events;
    for (let i = 1; i <= RESUMES_PER_ATTEMPT; i++) {
      const next = given(es).when(end(sim, infra));
      expect(next).toEqual([{ type: 'ExperimentRunResumed', data: expect.objectContaining({ resumption: i, simulationId: sim }) }]);
      es = [...es, ...next];
    }
    es = given(es).then(end(sim, infra), start);
    const tail = es.slice(-2);
    expect(tail.map((e) => [e.type, (e.data as any).outcome ?? (e.data as any).attempt])).toEqual([['ExperimentRunEnded', 'retried'], ['ExperimentRunStarted', 2]]);
    const second = (tail[1].data as any).simulationId;
    expect(second).not.toBe(sim);
    // A dead letter of the second attempt: past maxRetries (1), abandoned, not counted.
    es = given(es).then(end(second, { kind: 'failed', code: 'EVENT_DEAD_LETTERED', tokens: 1 }));
    expect(es[es.length - 1].data).toMatchObject({ outcome: 'abandoned', counted: false });
    expect(fold(es).runs[0]).toMatchObject({ status: 'ended', retries: 1, counted: false, tokens: 6 });
  });

  it('abandons a run whose start was refused, without counting it or retrying it', () => {
    const events = given([created()]).then(start);
    const decided = given(events).when(end(startedIds(events)[0], { kind: 'refused', code: 'PROJECT_NOT_FOUND', tokens: 0 }));
    expect(decided[0].data).toMatchObject({ outcome: 'abandoned', counted: false, code: 'PROJECT_NOT_FOUND' });
    expect(fold([...events, ...decided]).runs[0]).toMatchObject({ status: 'ended', retries: 0 });
  });

  it("counts a failure of the agents' doing (not infrastructure) as an outcome", () => {
    const events = given([created()]).then(start);
    const decided = given(events).when(end(startedIds(events)[0], { kind: 'failed', code: 'BUDGET_EXHAUSTED', metrics: { featuresDone: 0 } }));
    expect(decided[0].data).toMatchObject({ outcome: 'failed', counted: true, metrics: { featuresDone: 0 } });
  });

  it('paused: starts nothing, running runs end; resumed: starts again', () => {
    const events = given([created()]).then(start, { type: 'PauseExperiment', reason: 'r' });
    const ended = given(events).then(end(startedIds(events)[0]));
    expect(given(ended).when(start)).toEqual([]);
    expect(given(ended).when({ type: 'PauseExperiment', reason: 'again' })).toEqual([]);
    const resumed = given(ended).then({ type: 'ResumeExperiment', reason: 'r' }, start);
    expect(resumed[resumed.length - 1].type).toBe('ExperimentRunStarted');
  });

  it('cancelled: starts nothing, its running runs end uncounted, and cannot be resumed or extended', () => {
    const events = given([created()]).then(start, { type: 'CancelExperiment', reason: 'enough' });
    expect(given(events).when(start)).toEqual([]);
    const [sim] = startedIds(events);
    expect(given(events).when(end(sim, { kind: 'cancelled' }))[0].data).toMatchObject({ outcome: 'cancelled', counted: false });
    expect(given(events).when(end(sim, { kind: 'failed', code: 'INFRASTRUCTURE_UNAVAILABLE', resumable: true }))[0].data).toMatchObject({ outcome: 'cancelled' });
    expect(() => given(events).when({ type: 'ResumeExperiment', reason: 'r' })).toThrow(ExperimentStatusError);
    expect(() => given(events).when({ type: 'ExtendExperiment', seeds: [3], variants: [] })).toThrow(ExperimentStatusError);
    expect(given(events).when({ type: 'CancelExperiment', reason: 'again' })).toEqual([]);
  });

  it('extends a completed experiment: only the new runs start, and it goes on', () => {
    let es = given([created({ concurrency: 10 })]).then(start);
    es = given(es).then(...startedIds(es).map((id) => end(id)), start);
    expect(fold(es).status).toBe('completed');
    es = given(es).then({ type: 'ExtendExperiment', seeds: [3], variants: [{ name: 'warm', control: false, overrides: {} }] }, start);
    expect(fold(es).status).toBe('running');
    const started = es.slice(-5).filter((e) => e.type === 'ExperimentRunStarted').map((e) => (e.data as any).runId.split('/').slice(0, 2).join('/'));
    expect(started.sort()).toEqual(['cold/3', 'hot/3', 'warm/1', 'warm/2', 'warm/3']);
    expect(() => given(es).when({ type: 'ExtendExperiment', seeds: [1], variants: [] })).toThrow(ExperimentExtensionError);
    expect(() => given(es).when({ type: 'ExtendExperiment', seeds: [], variants: [{ name: 'hot', control: false, overrides: {} }] })).toThrow(ExperimentExtensionError);
  });

  it('stops starting runs once the token budget is used, and completes with what it has', () => {
    let es = given([created({ concurrency: 1, tokenBudget: 150 })]).then(start);
    es = given(es).then(end(startedIds(es)[0], { tokens: 100 }), start);
    es = given(es).then(end(startedIds(es)[1], { tokens: 100 }), start);
    expect(es[es.length - 1]).toEqual({ type: 'ExperimentCompleted', data: { experimentId, runsCounted: 2, runsAbandoned: 0 } });
    expect(fold(es).runs.filter((r) => r.status === 'pending')).toHaveLength(2);
  });
});
