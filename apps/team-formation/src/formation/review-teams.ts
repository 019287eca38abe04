import { EventData, MemberMoved, PairFormed, SimulationStarted, SprintEnded, TeamFormed, TeamsReviewed } from '@swe-sim/contracts';
import { fold } from '@swe-sim/event-store';
import { FormationEvent, FormationState, formationDecider } from './formation.decider';
import { COVERED_LEVEL, FormationFeature, formPairs, level, needsOf, uncoveredSkills } from './form-teams';
import { mulberry32 } from './prng';
import { proposeRebalance } from './rebalance';

/**
 * After a sprint: the teams' open features (their share minus what is done) decide whether a member
 * should move — the one swap that covers needs better, if any — and whether a persona on no team
 * should join one to cover a skill it still lacks; then TeamsReviewed, so that the next sprint is
 * planned with the teams as they are. Pure; a second review of the same sprint decides nothing.
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
  const membersOf = (s: FormationState) => (s.status === 'formed' ? s.teams : state.teams);
  const afterMoves = moved.reduce(formationDecider.evolve, state);
  const joined = joiners(started, membersOf(afterMoves), teams, beforeSprint);
  const afterJoins = joined.reduce(formationDecider.evolve, afterMoves);
  const paired = pairsAgain(started, [...history, ...moved, ...joined], membersOf(afterJoins), teams, beforeSprint);
  const reasons = [...moves.map((m) => m.reason), ...joined.map((j) => j.data.member.reason)];
  const reason = reasons.length ? reasons.join('; ') : teams.length > 1 ? 'no move covers the open features better' : 'nothing to change';
  return [
    ...moved,
    ...joined,
    ...paired,
    { type: TeamsReviewed.type, data: { simulationId: started.simulationId, beforeSprint, moves: moved.length, joined: joined.length, reason: reason.slice(0, 2000) } },
  ];
}

/**
 * Pairs again where members are left without a partner — theirs moved away, or they moved or
 * joined — with the same complementary pairing as at formation, among those members only (pairs
 * that still stand stay as they are). Nothing when the simulation does not pair.
 */
function pairsAgain(
  started: EventData<typeof SimulationStarted>,
  events: readonly FormationEvent[],
  teams: Record<string, string[]>,
  shares: { teamId: string; openFeatures: FormationFeature[] }[],
  beforeSprint: number,
): Extract<FormationEvent, { type: 'PairFormed' }>[] {
  if (!started.config.process?.pairing) return [];
  // The pairs that stand: formed, and neither member moved since.
  let standing: { driver: string; navigator: string }[] = [];
  for (const e of events) {
    if (e.type === PairFormed.type) standing.push({ driver: e.data.driver, navigator: e.data.navigator });
    if (e.type === MemberMoved.type) standing = standing.filter((p) => p.driver !== e.data.personaId && p.navigator !== e.data.personaId);
  }
  const inPair = new Set(standing.flatMap((p) => [p.driver, p.navigator]));
  const random = mulberry32(started.config.seed + beforeSprint);
  const out: Extract<FormationEvent, { type: 'PairFormed' }>[] = [];
  for (const share of [...shares].sort((a, b) => a.teamId.localeCompare(b.teamId))) {
    const alone = started.config.roster.filter((p) => (teams[share.teamId] ?? []).includes(p.personaId) && !inPair.has(p.personaId));
    if (alone.length < 2) continue;
    const { pairs } = formPairs(`${share.teamId}-s${beforeSprint}`, alone, needsOf(started.project.stack, share.openFeatures), random);
    for (const p of pairs) out.push({ type: PairFormed.type, data: { simulationId: started.simulationId, teamId: share.teamId, ...p } });
  }
  return out;
}

/** Personas on no team who cover a skill a team's open features need and nobody there has (≥ 3). */
function joiners(
  started: EventData<typeof SimulationStarted>,
  teams: Record<string, string[]>,
  shares: { teamId: string; openFeatures: FormationFeature[] }[],
  beforeSprint: number,
): Extract<FormationEvent, { type: 'MemberJoined' }>[] {
  const roster = started.config.roster;
  const onTeam = new Set(Object.values(teams).flat());
  const bench = roster.filter((p) => !onTeam.has(p.personaId));
  const out: Extract<FormationEvent, { type: 'MemberJoined' }>[] = [];
  for (const share of [...shares].sort((a, b) => a.teamId.localeCompare(b.teamId))) {
    const members = roster.filter((p) => (teams[share.teamId] ?? []).includes(p.personaId));
    const needs = needsOf(started.project.stack, share.openFeatures);
    for (const skill of uncoveredSkills(needs, members)) {
      const pick = bench
        .filter((p) => level(p, skill) >= COVERED_LEVEL)
        .sort((a, b) => level(b, skill) - level(a, skill) || a.personaId.localeCompare(b.personaId))[0];
      if (!pick) continue;
      bench.splice(bench.indexOf(pick), 1);
      members.push(pick);
      const reason = `${pick.name} joins ${share.teamId}: ${skill} ${level(pick, skill)}, needed by ${needs.get(skill)!.join(', ')}, which nobody on the team had at level ${COVERED_LEVEL} or more`;
      out.push({
        type: 'MemberJoined',
        data: { simulationId: started.simulationId, teamId: share.teamId, beforeSprint, member: { personaId: pick.personaId, name: pick.name, role: pick.role, seniority: pick.seniority, reason } },
      });
    }
  }
  return out;
}
