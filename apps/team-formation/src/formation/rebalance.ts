import { Persona, Stack } from '@swe-sim/contracts';
import { COVERED_LEVEL, FormationFeature, level, needsOf, uncoveredSkills } from './form-teams';
import { mulberry32, pickBest } from './prng';

export interface RebalanceInput {
  stack: Stack;
  roster: readonly Persona[];
  /** Each team now: its members and the features it still has to build. */
  teams: readonly { teamId: string; memberIds: readonly string[]; openFeatures: readonly FormationFeature[] }[];
}

export interface ProposedMove {
  personaId: string;
  toTeamId: string;
  reason: string;
}

/**
 * Between sprints, when needs change (features done, new ones added): the one swap of two members
 * between two teams that most lowers the weighted count of uncovered needs (a skill the team's open
 * features need that no member has at level ≥ 3, weighted by how many features need it), and that
 * leaves no team with a newly uncovered skill. Team sizes stay as they were. Nothing when no swap
 * helps. Pure; the seed breaks ties.
 */
export function proposeRebalance({ stack, roster, teams }: RebalanceInput, seed: number): ProposedMove[] {
  const byId = new Map(roster.map((p) => [p.personaId, p]));
  const members = teams.map((t) => t.memberIds.map((id) => byId.get(id)).filter((p): p is Persona => !!p));
  const needs = teams.map((t) => needsOf(stack, t.openFeatures));
  const uncoveredWeight = (t: number, ms: Persona[]) => uncoveredSkills(needs[t], ms).reduce((sum, s) => sum + needs[t].get(s)!.length, 0);
  const before = teams.map((_, t) => uncoveredSkills(needs[t], members[t]));
  type Swap = { i: number; a: Persona; j: number; b: Persona; gain: number };
  const swaps: Swap[] = [];
  for (let i = 0; i < teams.length; i++)
    for (let j = i + 1; j < teams.length; j++)
      for (const a of members[i])
        for (const b of members[j]) {
          const ni = members[i].map((p) => (p === a ? b : p));
          const nj = members[j].map((p) => (p === b ? a : p));
          const grows = (t: number, ms: Persona[]) => uncoveredSkills(needs[t], ms).some((s) => !before[t].includes(s));
          if (grows(i, ni) || grows(j, nj)) continue;
          const gain = uncoveredWeight(i, members[i]) + uncoveredWeight(j, members[j]) - uncoveredWeight(i, ni) - uncoveredWeight(j, nj);
          if (gain > 0) swaps.push({ i, a, j, b, gain });
        }
  if (swaps.length === 0) return [];
  const { i, a, j, b } = pickBest(swaps, (s) => [s.gain, -s.i, -s.j], mulberry32(seed));
  const why = (p: Persona, to: number, from: number) => {
    const covers = before[to].filter((s) => level(p, s) >= COVERED_LEVEL);
    const what = covers.length
      ? `covers ${covers.map((s) => `${s} ${level(p, s)} (needed by ${needs[to].get(s)!.join(', ')})`).join(', ')} that ${teams[to].teamId} lacked`
      : `keeps ${teams[to].teamId} at its size in exchange`;
    return `Needs changed: ${what}; ${teams[from].teamId} keeps cover of every skill its open features need.`;
  };
  return [
    { personaId: a.personaId, toTeamId: teams[j].teamId, reason: why(a, j, i) },
    { personaId: b.personaId, toTeamId: teams[i].teamId, reason: why(b, i, j) },
  ];
}
