import type { HistoryEvent } from '@swe-sim/api-client';
import { boardOf, burndownOf, burndownSeries, pokerRoundsOf, teamsOf, timelineIndexAt, timelineOf, velocitySeries } from './simulation-view';

let position = 0;
const ev = (type: string, data: any): HistoryEvent => ({ eventId: `e${++position}`, position, type, schemaVersion: 1, streamId: 's', streamVersion: 0, data, metadata: {} });

const history = (): HistoryEvent[] => {
  position = 0;
  return [
    ev('SimulationStarted', { project: { backlog: [{ featureId: 'slug', title: 'Slugify' }, { featureId: 'count', title: 'Count' }, { featureId: 'wrap', title: 'Wrap' }] } }),
    ev('TeamFormed', { teamId: 't1', name: 'Team 1', members: [{ personaId: 'ada', name: 'Ada', role: 'engineer', seniority: 'senior', reason: 'covers python 5' }], features: [{ featureId: 'slug', reason: 'fits' }], uncoveredSkills: [] }),
    ev('PairFormed', { teamId: 't1', driver: 'ada', navigator: 'bob', reason: 'mentoring' }),
    ev('PlanningPokerRoundStarted', { sprint: 1, featureId: 'slug', teamId: 't1', round: 1, voters: ['ada', 'bob'] }),
    ev('EstimateCast', { sprint: 1, featureId: 'slug', teamId: 't1', round: 1, voter: 'ada', points: 2, rationale: 'easy' }),
    ev('EstimateCast', { sprint: 1, featureId: 'slug', teamId: 't1', round: 1, voter: 'bob', points: 8, rationale: 'unicode' }),
    ev('EstimatesDiverged', { sprint: 1, featureId: 'slug', teamId: 't1', round: 1, min: 2, max: 8, outliers: [{ voter: 'bob', points: 8, rationale: 'unicode' }] }),
    ev('PlanningPokerRoundStarted', { sprint: 1, featureId: 'slug', teamId: 't1', round: 2, voters: ['ada', 'bob'] }),
    ev('EstimateCast', { sprint: 1, featureId: 'slug', teamId: 't1', round: 2, voter: 'ada', points: 3, rationale: 'ok' }),
    ev('EstimateAgreed', { sprint: 1, featureId: 'slug', teamId: 't1', points: 3, rounds: 2, method: 'consensus' }),
    ev('SprintStarted', { sprint: 1, committed: [{ teamId: 't1', featureId: 'slug', points: 3 }, { teamId: 't1', featureId: 'count', points: 2 }], committedPoints: 5 }),
    ev('AgentTaskStarted', { sprint: 1, teamId: 't1', featureId: 'slug', driver: 'ada', navigator: 'bob' }),
    ev('AgentTaskStarted', { sprint: 1, teamId: 't1', featureId: 'count', driver: 'bob', navigator: null }),
    ev('SandboxCreated', { sandboxId: 'x' }),
    ev('FeatureAbandoned', { sprint: 1, teamId: 't1', featureId: 'count', code: 'TESTS_FAILING' }),
    ev('FeatureDone', { sprint: 1, teamId: 't1', featureId: 'slug' }),
    ev('SprintEnded', { sprint: 1, committedPoints: 5, deliveredPoints: 3 }),
  ];
};

describe('simulation view models', () => {
  it('teams carry each member with their reason, and their pairs', () => {
    const [team] = teamsOf(history());
    expect(team.members).toEqual([{ personaId: 'ada', name: 'Ada', role: 'engineer', seniority: 'senior', reason: 'covers python 5' }]);
    expect(team.pairs).toEqual([{ driver: 'ada', navigator: 'bob', reason: 'mentoring' }]);
  });

  it('poker rounds hold their votes, the divergence, and the agreement on the last round', () => {
    const rounds = pokerRoundsOf(history());
    expect(rounds.map((r) => [r.round, r.votes.map((v) => v.points), r.diverged?.outliers ?? null, r.agreed])).toEqual([
      [1, [2, 8], ['bob'], null],
      [2, [3], null, { points: 3, method: 'consensus' }],
    ]);
  });

  it('the board puts each feature in its column', () => {
    const board = boardOf(history());
    expect(board.done.map((c) => [c.featureId, c.driver, c.sprint])).toEqual([['slug', 'ada', 1]]);
    expect(board.abandoned.map((c) => c.featureId)).toEqual(['count']);
    expect(board.todo.map((c) => c.title)).toEqual(['Wrap']);
    expect(boardOf(history().slice(0, 13))['in progress'].map((c) => c.featureId)).toEqual(['slug', 'count']);
  });

  it('the burndown goes down by a done feature\'s points and keeps an abandoned one\'s', () => {
    const burndown = burndownOf(history());
    expect(burndown).toEqual([{ sprint: 1, committed: 5, remaining: [5, 5, 2] }]);
    expect(burndownSeries([...burndown, { sprint: 2, committed: 1, remaining: [1] }])).toEqual([[0, 1, 2], [5, 5, 2], [1, null, null]]);
    expect(velocitySeries([{ sprint: 1, committedPoints: 5, deliveredPoints: 3 }])).toEqual([[1], [5], [3]]);
  });

  it('the timeline keeps the steps a person follows and finds the entry at a position', () => {
    const timeline = timelineOf(history());
    expect(timeline.map((t) => t.type)).not.toContain('SandboxCreated');
    expect(timeline.find((t) => t.type === 'FeatureAbandoned')?.summary).toBe('count abandoned: TESTS_FAILING');
    const sandbox = history().find((e) => e.type === 'SandboxCreated')!.position;
    // A position between two entries shows the one before it; none given shows the last.
    expect(timeline[timelineIndexAt(timeline, sandbox)].type).toBe('AgentTaskStarted');
    expect(timelineIndexAt(timeline, null)).toBe(timeline.length - 1);
    expect(timelineIndexAt([], 3)).toBe(-1);
  });
});
