import { randomUUID } from 'node:crypto';
import { DEFAULT_ROSTER } from '@swe-sim/contracts';
import { fold } from '@swe-sim/event-store';
import { FormationCommand, FormationEvent, formationDecider, FormationNotFormedError, InvalidMoveError } from './formation.decider';
import { FormationInput, TEAM_FORMATION_ERROR_CODES } from './form-teams';

const simulationId = randomUUID();
const formationInput = (overrides: Partial<FormationInput> = {}): FormationInput => ({
  stack: 'python',
  backlog: [
    { featureId: 'slugify', skills: ['python'] },
    { featureId: 'word-count', skills: ['python', 'testing'] },
    { featureId: 'lru', skills: ['algorithms'] },
  ],
  roster: DEFAULT_ROSTER,
  teams: 2,
  teamSize: 3,
  pairing: true,
  ...overrides,
});
const formTeams = (seed = 42, overrides: Partial<FormationInput> = {}): FormationCommand => ({
  type: 'FormTeams',
  data: { simulationId, seed, input: formationInput(overrides) },
});

const given = (events: FormationEvent[]) => ({
  when: (command: FormationCommand) => () => formationDecider.decide(command, fold(formationDecider, events)),
});

describe('team-formation decider', () => {
  it('given no history, when FormTeams, then TeamFormed per team, PairFormed per pair, then TeamFormationCompleted', () => {
    const events = given([]).when(formTeams())();
    expect(events.map((e) => e.type)).toEqual(['TeamFormed', 'TeamFormed', 'PairFormed', 'PairFormed', 'TeamFormationCompleted']);
    expect(events[events.length - 1].data).toEqual({ simulationId, teamIds: ['team-1', 'team-2'] });
    for (const e of events) expect(e.data.simulationId).toBe(simulationId);
    const teams = events.filter((e) => e.type === 'TeamFormed');
    for (const t of teams) if (t.type === 'TeamFormed') for (const m of t.data.members) expect(m.reason).toBeTruthy();
  });

  it('is deterministic for a seed: the same seed decides the identical events', () => {
    expect(given([]).when(formTeams(7))()).toEqual(given([]).when(formTeams(7))());
  });

  it('given formed teams, when FormTeams again (a replayed SimulationStarted), then nothing', () => {
    const history = given([]).when(formTeams())();
    expect(given(history).when(formTeams())()).toEqual([]);
    expect(given(history).when(formTeams(999))()).toEqual([]);
  });

  it('given no history, when FormTeams cannot be staffed, then TeamFormationFailed with a stable code; again, nothing', () => {
    const events = given([]).when(formTeams(1, { teams: 3, teamSize: 5 }))();
    expect(events).toEqual([
      {
        type: 'TeamFormationFailed',
        data: { simulationId, code: TEAM_FORMATION_ERROR_CODES.ROSTER_TOO_SMALL, reason: expect.stringContaining('need 15 personas; the roster has 12') },
      },
    ]);
    expect(given(events).when(formTeams())()).toEqual([]);
  });

  it('folds to the formed teams and their members', () => {
    const state = fold(formationDecider, given([]).when(formTeams())());
    expect(state.status).toBe('formed');
    if (state.status !== 'formed') return;
    expect(Object.keys(state.teams)).toEqual(['team-1', 'team-2']);
    expect(Object.values(state.teams).flat()).toHaveLength(6);
  });

  describe('MoveMembers (between sprints)', () => {
    const formed = given([]).when(formTeams())();
    const state = fold(formationDecider, formed);
    const teams = state.status === 'formed' ? state.teams : {};
    const [a, b] = [teams['team-1'][0], teams['team-2'][0]];
    const move = (moves: { personaId: string; toTeamId: string; reason: string }[]): FormationCommand => ({
      type: 'MoveMembers',
      data: { simulationId, beforeSprint: 2, moves },
    });

    it('given formed teams, when a swap, then a MemberMoved for each, and the fold follows', () => {
      const events = given(formed).when(move([
        { personaId: a, toTeamId: 'team-2', reason: 'r1' },
        { personaId: b, toTeamId: 'team-1', reason: 'r2' },
      ]))();
      expect(events).toEqual([
        { type: 'MemberMoved', data: { simulationId, personaId: a, fromTeamId: 'team-1', toTeamId: 'team-2', beforeSprint: 2, reason: 'r1' } },
        { type: 'MemberMoved', data: { simulationId, personaId: b, fromTeamId: 'team-2', toTeamId: 'team-1', beforeSprint: 2, reason: 'r2' } },
      ]);
      const after = fold(formationDecider, [...formed, ...events]);
      expect(after.status === 'formed' && after.teams['team-2']).toContain(a);
      expect(after.status === 'formed' && after.teams['team-1']).toContain(b);
    });

    it('refuses moves before teams are formed, to unknown teams, of unknown personas, or onto the same team', () => {
      expect(given([]).when(move([{ personaId: a, toTeamId: 'team-2', reason: 'r' }]))).toThrow(FormationNotFormedError);
      expect(given(formed).when(move([{ personaId: a, toTeamId: 'team-9', reason: 'r' }]))).toThrow(InvalidMoveError);
      expect(given(formed).when(move([{ personaId: 'nobody', toTeamId: 'team-2', reason: 'r' }]))).toThrow(InvalidMoveError);
      expect(given(formed).when(move([{ personaId: a, toTeamId: 'team-1', reason: 'r' }]))).toThrow(InvalidMoveError);
    });

    it('refuses moves that would empty a team', () => {
      const [one] = given([]).when(formTeams(1, { teams: 2, teamSize: 1 }))().filter((e) => e.type === 'TeamFormed');
      const history = given([]).when(formTeams(1, { teams: 2, teamSize: 1 }))();
      const id = one.type === 'TeamFormed' ? one.data.members[0].personaId : '';
      expect(given(history).when(move([{ personaId: id, toTeamId: 'team-2', reason: 'r' }]))).toThrow(/without members/);
    });
  });
});
