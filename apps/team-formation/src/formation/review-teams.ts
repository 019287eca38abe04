import { EventData, SimulationStarted, SprintEnded, TeamFormed, TeamsReviewed } from '@swe-sim/contracts';
import { fold } from '@swe-sim/event-store';
import { FormationEvent, formationDecider } from './formation.decider';
import { proposeRebalance } from './rebalance';

/**
 * After a sprint: the teams' open features (their share minus what is done) decide whether a member
 * should move — the one swap that covers needs better, if any — then TeamsReviewed, so that the
 * next sprint is planned with the teams as they are. Pure; a second review of the same sprint
 * decides nothing.
 */
export function reviewTeams(history: readonly FormationEvent[], started: EventData<typeof SimulationStarted>, ended: EventData<typeof SprintEnded>): FormationEvent[] {
  const beforeSprint = ended.sprint + 1;
  if (history.some((e) => e.type === TeamsReviewed.type && e.data.beforeSprint === beforeSprint)) return [];
  const state = fold(formationDecider, history as FormationEvent[]);
  if (state.status !== 'formed') return [];
  const done = new Set(ended.doneSoFar);
  const backlog = new Map(started.project.backlog.map((b) => [b.featureId, b]));
  const shares = history.filter((e): e is { type: 'TeamFormed'; data: EventData<typeof TeamFormed> } => e.type === TeamFormed.type);
  const teams = shares.map((t) => ({
    teamId: t.data.teamId,
    memberIds: state.teams[t.data.teamId] ?? [],
    openFeatures: t.data.features.filter((f) => !done.has(f.featureId)).map((f) => ({ featureId: f.featureId, skills: backlog.get(f.featureId)?.skills ?? [] })),
  }));
  const moves = teams.length > 1 ? proposeRebalance({ stack: started.project.stack, roster: started.config.roster, teams }, started.config.seed + ended.sprint) : [];
  const moved = moves.length
    ? formationDecider.decide({ type: 'MoveMembers', data: { simulationId: started.simulationId, beforeSprint, moves } }, state)
    : [];
  const reason = moves.length ? moves.map((m) => m.reason).join('; ') : teams.length > 1 ? 'no move covers the open features better' : 'one team: nothing to move';
  return [...moved, { type: TeamsReviewed.type, data: { simulationId: started.simulationId, beforeSprint, moves: moved.length, reason: reason.slice(0, 2000) } }];
}
