import { EstimateAgreed, EstimateCast, EstimatesDiverged, EventData, PlanningPokerRoundStarted, STORY_POINTS, StoryPoints, EstimateSuspended } from '@swe-sim/contracts';

export type PokerEvent =
  | { type: 'PlanningPokerRoundStarted'; data: EventData<typeof PlanningPokerRoundStarted> }
  | { type: 'EstimateCast'; data: EventData<typeof EstimateCast> }
  | { type: 'EstimatesDiverged'; data: EventData<typeof EstimatesDiverged> }
  | { type: 'EstimateAgreed'; data: EventData<typeof EstimateAgreed> }
  | { type: 'EstimateSuspended'; data: EventData<typeof EstimateSuspended> };

export type PokerCommand =
  | { type: 'CastEstimate'; data: Omit<EventData<typeof EstimateCast>, 'simulationId' | 'sprint' | 'featureId'> }
  | { type: 'Tally'; settings: { divergenceRatio: number; maxRounds: number } };

export interface PokerState {
  status: 'none' | 'voting' | 'agreed';
  started: EventData<typeof PlanningPokerRoundStarted> | null;
  votes: Record<string, { points: number; rationale: string }>;
}

export const initialPokerState: PokerState = { status: 'none', started: null, votes: {} };

export function evolvePoker(state: PokerState, event: PokerEvent): PokerState {
  switch (event.type) {
    case 'PlanningPokerRoundStarted':
      return { status: 'voting', started: event.data, votes: {} };
    case 'EstimateCast':
      if (state.started?.round !== event.data.round) return state;
      return { ...state, votes: { ...state.votes, [event.data.voter]: { points: event.data.points, rationale: event.data.rationale } } };
    case 'EstimatesDiverged':
      return state; // the next round's start resets the votes
    case 'EstimateSuspended':
      return state; // the infrastructure's: the vote is asked again on resume
    case 'EstimateAgreed':
      return { ...state, status: 'agreed' };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/**
 * Planning poker for one feature in one sprint. A vote counts once per voter and round; when
 * every voter has voted, estimates within the ratio (max/min) agree on the upper median; beyond it
 * the lowest and highest voters' reasons open the next round, up to maxRounds, after which the
 * upper median is taken.
 */
export function decidePoker(command: PokerCommand, state: PokerState): PokerEvent[] {
  const started = state.started;
  if (state.status !== 'voting' || !started) return [];
  const { simulationId, sprint, featureId, teamId, round, voters } = started;
  switch (command.type) {
    case 'CastEstimate': {
      const vote = command.data;
      if (vote.round !== round || !voters.includes(vote.voter) || vote.voter in state.votes) return [];
      return [{ type: 'EstimateCast', data: { simulationId, sprint, featureId, ...vote } }];
    }
    case 'Tally': {
      if (!voters.every((v) => v in state.votes)) return [];
      const votes = voters.map((voter) => ({ voter, ...state.votes[voter] }));
      const sorted = [...votes].sort((a, b) => a.points - b.points || a.voter.localeCompare(b.voter));
      const low = sorted[0];
      const high = sorted[sorted.length - 1];
      const median = sorted[Math.floor(sorted.length / 2)].points as StoryPoints;
      const withinRatio = high.points / low.points <= command.settings.divergenceRatio;
      if (withinRatio || round >= command.settings.maxRounds) {
        return [{ type: 'EstimateAgreed', data: { simulationId, sprint, teamId, featureId, points: median, rounds: round, method: withinRatio ? 'consensus' : 'median' } }];
      }
      return [
        {
          type: 'EstimatesDiverged',
          data: { simulationId, sprint, featureId, round, min: low.points, max: high.points, outliers: [low, high].map(({ voter, points, rationale }) => ({ voter, points, rationale })) },
        },
        { type: 'PlanningPokerRoundStarted', data: { ...started, round: round + 1 } },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${(unhandled as { type: string }).type}`);
    }
  }
}

export const pokerDecider = { decide: decidePoker, evolve: evolvePoker, initialState: initialPokerState };

/** The estimate used when a voter's LLM gave nothing usable: the middle of the scale. */
export const FALLBACK_POINTS: StoryPoints = STORY_POINTS[3];
