import { randomUUID } from 'node:crypto';
import { PokerCommand, PokerEvent, decidePoker, evolvePoker, initialPokerState } from './poker-round.decider';

const sim = randomUUID();
const started = (round = 1): PokerEvent => ({
  type: 'PlanningPokerRoundStarted',
  data: { simulationId: sim, sprint: 1, teamId: 't1', featureId: 'f1', round, voters: ['ada', 'bob', 'cy'] },
});
const cast = (voter: string, points: number, round = 1): PokerEvent => ({
  type: 'EstimateCast',
  data: { simulationId: sim, sprint: 1, featureId: 'f1', round, voter, points: points as never, rationale: `${voter} thinks ${points}`, llmSeq: 0, fallback: false },
});
const tally: PokerCommand = { type: 'Tally', settings: { divergenceRatio: 2, maxRounds: 2 } };
const given = (events: PokerEvent[]) => ({ when: (c: PokerCommand) => decidePoker(c, events.reduce(evolvePoker, initialPokerState)) });

describe('planning poker round', () => {
  it('counts a vote once per voter and round, and only from voters', () => {
    const vote = (voter: string, round = 1): PokerCommand => ({ type: 'CastEstimate', data: { voter, round, points: 3, rationale: '', llmSeq: 0, fallback: false } });
    expect(given([started()]).when(vote('ada'))).toHaveLength(1);
    expect(given([started(), cast('ada', 3)]).when(vote('ada'))).toEqual([]);
    expect(given([started()]).when(vote('mallory'))).toEqual([]);
    expect(given([started()]).when(vote('ada', 2))).toEqual([]);
    expect(given([]).when(vote('ada'))).toEqual([]);
  });

  it('waits until everyone has voted', () => {
    expect(given([started(), cast('ada', 3), cast('bob', 5)]).when(tally)).toEqual([]);
  });

  it('agrees on the upper median when the estimates are within the ratio', () => {
    expect(given([started(), cast('ada', 3), cast('bob', 5), cast('cy', 5)]).when(tally)).toEqual([
      { type: 'EstimateAgreed', data: { simulationId: sim, sprint: 1, teamId: 't1', featureId: 'f1', points: 5, rounds: 1, method: 'consensus' } },
    ]);
  });

  it('on divergence, hears the lowest and highest voters and votes again', () => {
    const events = given([started(), cast('ada', 2), cast('bob', 8), cast('cy', 3)]).when(tally);
    expect(events.map((e) => e.type)).toEqual(['EstimatesDiverged', 'PlanningPokerRoundStarted']);
    expect(events[0].data).toMatchObject({
      min: 2,
      max: 8,
      outliers: [
        { voter: 'ada', points: 2, rationale: 'ada thinks 2' },
        { voter: 'bob', points: 8, rationale: 'bob thinks 8' },
      ],
    });
    expect(events[1].data).toMatchObject({ round: 2, voters: ['ada', 'bob', 'cy'] });
  });

  it('takes the median after the last round, and decides nothing once agreed', () => {
    const round2 = [started(), cast('ada', 2), cast('bob', 8), cast('cy', 3), started(2), cast('ada', 1, 2), cast('bob', 13, 2), cast('cy', 5, 2)];
    expect(given(round2).when(tally)).toEqual([
      { type: 'EstimateAgreed', data: expect.objectContaining({ points: 5, rounds: 2, method: 'median' }) },
    ]);
    const agreed = given(round2).when(tally)[0];
    expect(given([...round2, agreed]).when(tally)).toEqual([]);
  });

  it('ignores a late vote from the previous round', () => {
    expect(given([started(), cast('ada', 2), cast('bob', 8), cast('cy', 3), started(2), cast('ada', 5, 1)]).when(tally)).toEqual([]);
  });
});
