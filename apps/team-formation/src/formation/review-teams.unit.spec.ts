import { randomUUID } from 'node:crypto';
import { FormationEvent } from './formation.decider';
import { reviewTeams } from './review-teams';

const sim = randomUUID();
const persona = (personaId: string, skills: Record<string, number>) => ({ personaId, name: personaId, role: 'engineer' as const, seniority: 'mid' as const, skills, traits: [] });
const roster = [
  persona('ann', { python: 4, testing: 4 }),
  persona('ben', { python: 3, testing: 1 }),
  persona('cat', { algorithms: 5, python: 1, testing: 1 }),
  persona('dan', { python: 4, testing: 4 }),
];
const feature = (featureId: string, skills: string[]) => ({ featureId, title: featureId, description: '', acceptanceCriteria: [], tests: [`t/${featureId}`], skills });
const started = {
  simulationId: sim,
  project: { backlog: [feature('f1', ['python']), feature('f3', ['algorithms']), feature('f2', []), feature('f4', [])], stack: 'python' },
  config: { seed: 5, roster },
} as never;
const member = (personaId: string) => ({ personaId, name: personaId, role: 'engineer', seniority: 'mid', reason: 'r' });
const formed = (teams: Record<string, { members: string[]; features: string[] }>): FormationEvent[] => [
  ...Object.entries(teams).map(([teamId, t]): FormationEvent => ({
    type: 'TeamFormed',
    data: { simulationId: sim, teamId, name: teamId, members: t.members.map(member) as never, features: t.features.map((f) => ({ featureId: f, reason: '' })), uncoveredSkills: [] },
  })),
  { type: 'TeamFormationCompleted', data: { simulationId: sim, teamIds: Object.keys(teams) } },
];
const sprintEnded = (doneSoFar: string[]) => ({ simulationId: sim, sprint: 1, committedPoints: 5, deliveredPoints: 3, velocity: 3, done: doneSoFar, carriedOver: [], doneSoFar });

describe(reviewTeams.name, () => {
  it('moves members where the open features need a skill a team lacks, then says the teams are reviewed', () => {
    const history = formed({ t1: { members: ['ann', 'ben'], features: ['f1', 'f3'] }, t2: { members: ['cat', 'dan'], features: ['f2', 'f4'] } });
    const events = reviewTeams(history, started, sprintEnded(['f1']));
    const moves = events.filter((e) => e.type === 'MemberMoved').map((e) => e.data as { personaId: string; toTeamId: string; beforeSprint: number });
    expect(moves.map((m) => [m.personaId, m.toTeamId]).sort()).toEqual([
      ['ben', 't2'],
      ['cat', 't1'],
    ]);
    expect(moves.every((m) => m.beforeSprint === 2)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'TeamsReviewed', data: { beforeSprint: 2, moves: 2 } });
  });

  it('moves nobody when no move helps, and reviews a sprint only once', () => {
    const history = formed({ t1: { members: ['ann', 'ben'], features: ['f1', 'f2'] }, t2: { members: ['cat', 'dan'], features: ['f3', 'f4'] } });
    const events = reviewTeams(history, started, sprintEnded(['f1']));
    expect(events.map((e) => e.type)).toEqual(['TeamsReviewed']);
    expect(events[0].data).toMatchObject({ moves: 0 });
    expect(reviewTeams([...history, ...events], started, sprintEnded(['f1']))).toEqual([]);
  });

  it('with one team there is nothing to move', () => {
    const events = reviewTeams(formed({ t1: { members: ['ann', 'ben', 'cat', 'dan'], features: ['f1', 'f2', 'f3', 'f4'] } }), started, sprintEnded([]));
    expect(events).toEqual([{ type: 'TeamsReviewed', data: { simulationId: sim, beforeSprint: 2, moves: 0, joined: 0, reason: 'nothing to change' } }]);
  });

  it('brings in a persona on no team when the open features need a skill nobody on the team has', () => {
    // cat (algorithms 5) and eve (algorithms 4) are on no team: the strongest joins
    const withBench = { ...(started as any), config: { seed: 5, roster: [...roster, persona('eve', { algorithms: 4 })] } };
    const history = formed({ t1: { members: ['ann', 'ben', 'dan'], features: ['f1', 'f3'] } });
    const events = reviewTeams(history, withBench, sprintEnded(['f1']));
    expect(events.map((e) => e.type)).toEqual(['MemberJoined', 'TeamsReviewed']);
    expect(events[0].data).toMatchObject({ teamId: 't1', beforeSprint: 2, member: { personaId: 'cat', reason: expect.stringContaining('algorithms 5, needed by f3') } });
    expect(events[1].data).toMatchObject({ moves: 0, joined: 1 });
  });

  it('pairs again those a move left without a partner, keeps the pairs that stand, and pairs nobody when the simulation does not pair', () => {
    const pairing = (on: boolean) => ({ ...(started as any), config: { seed: 5, roster, process: { pairing: on } } });
    const pair = (teamId: string, driver: string, navigator: string): FormationEvent => ({ type: 'PairFormed', data: { simulationId: sim, teamId, pairId: `${teamId}-pair-1`, driver, navigator, reason: 'r' } });
    const history = [...formed({ t1: { members: ['ann', 'ben'], features: ['f1', 'f3'] }, t2: { members: ['cat', 'dan'], features: ['f2', 'f4'] } }), pair('t1', 'ben', 'ann'), pair('t2', 'cat', 'dan')];
    const events = reviewTeams(history, pairing(true), sprintEnded(['f1']));
    expect(events.map((e) => e.type)).toEqual(['MemberMoved', 'MemberMoved', 'PairFormed', 'PairFormed', 'TeamsReviewed']);
    const pairs = events.filter((e) => e.type === 'PairFormed').map((e) => e.data as { teamId: string; pairId: string; driver: string; navigator: string });
    expect(pairs.map((p) => [p.teamId, [p.driver, p.navigator].sort()])).toEqual([
      ['t1', ['ann', 'cat']],
      ['t2', ['ben', 'dan']],
    ]);
    expect(pairs.map((p) => p.pairId)).toEqual(['t1-s2-pair-1', 't2-s2-pair-1']);
    expect(reviewTeams(history, pairing(false), sprintEnded(['f1'])).filter((e) => e.type === 'PairFormed')).toEqual([]);
    // Nobody moved: the pairs stand and none is formed.
    const settled = [...formed({ t1: { members: ['ann', 'ben'], features: ['f1', 'f2'] }, t2: { members: ['cat', 'dan'], features: ['f3', 'f4'] } }), pair('t1', 'ben', 'ann'), pair('t2', 'cat', 'dan')];
    expect(reviewTeams(settled, pairing(true), sprintEnded(['f1'])).map((e) => e.type)).toEqual(['TeamsReviewed']);
  });
});
