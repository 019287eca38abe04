import { Decider } from '@swe-sim/event-store';
import { EventData, MemberJoined, MemberMoved, PairFormed, SweSimError, TeamFormationCompleted, TeamFormationFailed, TeamFormed, TeamsReviewed } from '@swe-sim/contracts';
import { formTeams, FormationInput, TeamFormationError } from './form-teams';

/** The team-formation aggregate of one simulation (stream formation-<simulationId>). */
export type FormationEvent =
  | { type: typeof TeamFormed.type; data: EventData<typeof TeamFormed> }
  | { type: typeof PairFormed.type; data: EventData<typeof PairFormed> }
  | { type: typeof TeamFormationCompleted.type; data: EventData<typeof TeamFormationCompleted> }
  | { type: typeof TeamFormationFailed.type; data: EventData<typeof TeamFormationFailed> }
  | { type: typeof MemberMoved.type; data: EventData<typeof MemberMoved> }
  | { type: typeof MemberJoined.type; data: EventData<typeof MemberJoined> }
  | { type: typeof TeamsReviewed.type; data: EventData<typeof TeamsReviewed> };

export type FormationCommand =
  | { type: 'FormTeams'; data: { simulationId: string; seed: number; input: FormationInput } }
  | {
      type: 'MoveMembers';
      data: { simulationId: string; beforeSprint: number; moves: { personaId: string; toTeamId: string; reason: string }[] };
    };

export type FormationState =
  | { status: 'none' }
  | { status: 'forming'; teams: Record<string, string[]> }
  | { status: 'formed'; teams: Record<string, string[]> }
  | { status: 'failed'; code: string };

export const initialFormationState: FormationState = { status: 'none' };

export class FormationNotFormedError extends SweSimError {
  constructor(simulationId: string) {
    super('TEAM_FORMATION_NOT_FORMED', `Teams of simulation ${simulationId} are not formed; nothing to move`, { simulationId });
  }
}

export class InvalidMoveError extends SweSimError {
  constructor(reason: string, details: Record<string, unknown>) {
    super('TEAM_FORMATION_INVALID_MOVE', reason, details);
  }
}

function decide(command: FormationCommand, state: FormationState): FormationEvent[] {
  switch (command.type) {
    case 'FormTeams': {
      // Formation happens once per simulation: a repeated command (a replayed SimulationStarted) yields nothing.
      if (state.status !== 'none') return [];
      const { simulationId, seed, input } = command.data;
      let plan;
      try {
        plan = formTeams(input, seed);
      } catch (err) {
        if (!(err instanceof TeamFormationError)) throw err;
        return [{ type: TeamFormationFailed.type, data: { simulationId, code: err.code, reason: err.message } }];
      }
      return [
        ...plan.teams.map((t): FormationEvent => ({
          type: TeamFormed.type,
          data: { simulationId, teamId: t.teamId, name: t.name, members: t.members, features: t.features, uncoveredSkills: t.uncoveredSkills },
        })),
        ...plan.teams.flatMap((t) => t.pairs.map((p): FormationEvent => ({ type: PairFormed.type, data: { simulationId, teamId: t.teamId, ...p } }))),
        { type: TeamFormationCompleted.type, data: { simulationId, teamIds: plan.teams.map((t) => t.teamId) } },
      ];
    }
    case 'MoveMembers': {
      const { simulationId, beforeSprint, moves } = command.data;
      if (state.status !== 'formed') throw new FormationNotFormedError(simulationId);
      let teams = state.teams;
      const events: FormationEvent[] = [];
      for (const move of moves) {
        const from = Object.keys(teams).find((t) => teams[t].includes(move.personaId));
        if (!from) throw new InvalidMoveError(`${move.personaId} is on no team`, { personaId: move.personaId });
        if (!teams[move.toTeamId]) throw new InvalidMoveError(`team ${move.toTeamId} does not exist`, { teamId: move.toTeamId });
        if (from === move.toTeamId) throw new InvalidMoveError(`${move.personaId} is already on ${from}`, { personaId: move.personaId });
        const event: FormationEvent = {
          type: MemberMoved.type,
          data: { simulationId, personaId: move.personaId, fromTeamId: from, toTeamId: move.toTeamId, beforeSprint, reason: move.reason },
        };
        teams = moved(teams, event.data);
        events.push(event);
      }
      const emptied = Object.keys(teams).find((t) => teams[t].length === 0);
      if (emptied) throw new InvalidMoveError(`the moves would leave ${emptied} without members`, { teamId: emptied });
      return events;
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${(unhandled as { type: string }).type}`);
    }
  }
}

const moved = (teams: Record<string, string[]>, m: EventData<typeof MemberMoved>) => ({
  ...teams,
  [m.fromTeamId]: teams[m.fromTeamId].filter((p) => p !== m.personaId),
  [m.toTeamId]: [...teams[m.toTeamId], m.personaId],
});

function evolve(state: FormationState, event: FormationEvent): FormationState {
  switch (event.type) {
    case 'TeamFormed': {
      const teams = state.status === 'forming' ? state.teams : {};
      return { status: 'forming', teams: { ...teams, [event.data.teamId]: event.data.members.map((m) => m.personaId) } };
    }
    case 'PairFormed':
      return state;
    case 'TeamFormationCompleted':
      return { status: 'formed', teams: state.status === 'forming' ? state.teams : {} };
    case 'TeamFormationFailed':
      return { status: 'failed', code: event.data.code };
    case 'MemberMoved':
      return state.status === 'formed' ? { status: 'formed', teams: moved(state.teams, event.data) } : state;
    case 'MemberJoined': {
      if (state.status !== 'formed') return state;
      const team = state.teams[event.data.teamId] ?? [];
      return team.includes(event.data.member.personaId)
        ? state
        : { status: 'formed', teams: { ...state.teams, [event.data.teamId]: [...team, event.data.member.personaId] } };
    }
    case 'TeamsReviewed':
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export const formationDecider: Decider<FormationCommand, FormationEvent, FormationState> = {
  decide,
  evolve,
  initialState: initialFormationState,
};
