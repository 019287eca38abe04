import { Persona, Stack, SweSimError, TeamMember } from '@swe-sim/contracts';
import { mulberry32, pickBest, Random } from './prng';

/**
 * Team formation by expertise and need, as one pure, deterministic function.
 *
 * 1. Needs: every feature needs its own skills plus the stack's language and testing (acceptance
 *    tests decide when a feature is done).
 * 2. Split: the backlog is dealt into `teams` shares whose sizes differ by at most one; each feature
 *    goes to the open share that already holds features needing the same skills (grouping), else
 *    to the smallest share.
 * 3. Staff: a snake (round-robin, reversing each round) draft of `teamSize` rounds balances capacity;
 *    each pick takes the persona who most raises the team's best level in the skills its features
 *    need, weighted by how many of its features need each skill; among equal gains, the one the
 *    teams still drafting would gain least from, then the deepest fit.
 *    Then swaps between teams even out capacity (seniority) as long as no team's best level in a
 *    skill it needs drops.
 * 4. Pairs: the matching of each team's members that maximises seniority gap and complementary
 *    skills (one strong ≥3 where the other is weak ≤2); the less senior drives, the more senior
 *    navigates; with an odd number one member works solo.
 *
 * The seeded PRNG is drawn only to break exact ties, so different seeds differ only there.
 */

export const TEAM_FORMATION_ERROR_CODES = {
  DUPLICATE_PERSONA: 'TEAM_FORMATION_DUPLICATE_PERSONA',
  DUPLICATE_FEATURE: 'TEAM_FORMATION_DUPLICATE_FEATURE',
  ROSTER_SMALLER_THAN_TEAMS: 'TEAM_FORMATION_ROSTER_SMALLER_THAN_TEAMS',
  ROSTER_TOO_SMALL: 'TEAM_FORMATION_ROSTER_TOO_SMALL',
  MORE_TEAMS_THAN_FEATURES: 'TEAM_FORMATION_MORE_TEAMS_THAN_FEATURES',
  INVALID_SIZE: 'TEAM_FORMATION_INVALID_SIZE',
} as const;
export type TeamFormationErrorCode = (typeof TEAM_FORMATION_ERROR_CODES)[keyof typeof TEAM_FORMATION_ERROR_CODES];

export class TeamFormationError extends SweSimError {
  constructor(
    override readonly code: TeamFormationErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }
}

export interface FormationFeature {
  featureId: string;
  skills: readonly string[];
}

export interface FormationInput {
  stack: Stack;
  backlog: readonly FormationFeature[];
  roster: readonly Persona[];
  teams: number;
  teamSize: number;
  /** Pairs are formed only when the process pairs. */
  pairing: boolean;
}

export interface PlannedPair {
  pairId: string;
  driver: string;
  navigator: string;
  reason: string;
}

export interface PlannedTeam {
  teamId: string;
  name: string;
  members: TeamMember[];
  features: { featureId: string; reason: string }[];
  uncoveredSkills: string[];
  pairs: PlannedPair[];
  /** The member who works alone (odd team size with pairing), if any. */
  solo: string | null;
}

export interface FormationPlan {
  teams: PlannedTeam[];
}

export const STACK_LANGUAGE: Record<Stack, string> = { python: 'python', node: 'typescript' };
export const COVERED_LEVEL = 3;
const SENIORITY_RANK: Record<Persona['seniority'], number> = { junior: 0, mid: 1, senior: 2, staff: 3 };

export const seniorityRank = (p: Persona) => SENIORITY_RANK[p.seniority];
export const level = (p: Persona, skill: string) => p.skills[skill] ?? 0;

/** The skills a feature needs: the stack's language, testing, and its own. */
export function featureNeeds(stack: Stack, feature: FormationFeature): string[] {
  return unique([STACK_LANGUAGE[stack], 'testing', ...[...feature.skills].sort()]);
}

/** Skill → the features (in backlog order) that need it. */
export type Needs = Map<string, string[]>;

export function needsOf(stack: Stack, features: readonly FormationFeature[]): Needs {
  const needs: Needs = new Map();
  for (const f of features) for (const s of featureNeeds(stack, f)) needs.set(s, [...(needs.get(s) ?? []), f.featureId]);
  return needs;
}

/** Needed skills no member has at level ≥ 3, the most needed first. */
export function uncoveredSkills(needs: Needs, members: readonly Persona[]): string[] {
  return byWeight(needs).filter((s) => Math.max(0, ...members.map((m) => level(m, s))) < COVERED_LEVEL);
}

export function formTeams(input: FormationInput, seed: number): FormationPlan {
  validate(input);
  const random = mulberry32(seed);
  const shares = splitBacklog(input, random);
  const staffed = balanceCapacity(draft(input, shares, random), shares, random);
  return {
    teams: shares.map((share, t) => {
      const members = staffed[t];
      const personas = members.map((m) => m.persona);
      const { pairs, solo, notes } = input.pairing ? formPairs(`team-${t + 1}`, personas, share.needs, random) : { pairs: [], solo: null, notes: new Map<string, string>() };
      return {
        teamId: `team-${t + 1}`,
        name: teamName(t, input.stack, share.needs),
        members: members.map(({ persona: p, reason }) => ({
          personaId: p.personaId,
          name: p.name,
          role: p.role,
          seniority: p.seniority,
          reason: clip([reason, notes.get(p.personaId)].filter(Boolean).join(' ')),
        })),
        features: share.features.sort((a, b) => a.index - b.index).map(({ featureId, reason }) => ({ featureId, reason })),
        uncoveredSkills: uncoveredSkills(share.needs, personas),
        pairs,
        solo,
      };
    }),
  };
}

function validate({ roster, backlog, teams, teamSize }: FormationInput): void {
  const E = TEAM_FORMATION_ERROR_CODES;
  if (!Number.isInteger(teams) || teams < 1 || !Number.isInteger(teamSize) || teamSize < 1)
    throw new TeamFormationError(E.INVALID_SIZE, `teams (${teams}) and teamSize (${teamSize}) must be positive integers`, { teams, teamSize });
  const dupPersona = roster.find((p, i) => roster.findIndex((q) => q.personaId === p.personaId) !== i);
  if (dupPersona) throw new TeamFormationError(E.DUPLICATE_PERSONA, `persona ${dupPersona.personaId} appears twice in the roster`, { personaId: dupPersona.personaId });
  const dupFeature = backlog.find((f, i) => backlog.findIndex((g) => g.featureId === f.featureId) !== i);
  if (dupFeature) throw new TeamFormationError(E.DUPLICATE_FEATURE, `feature ${dupFeature.featureId} appears twice in the backlog`, { featureId: dupFeature.featureId });
  if (roster.length < teams)
    throw new TeamFormationError(E.ROSTER_SMALLER_THAN_TEAMS, `${teams} teams need at least ${teams} personas; the roster has ${roster.length}`, {
      teams,
      roster: roster.length,
    });
  if (backlog.length < teams)
    throw new TeamFormationError(E.MORE_TEAMS_THAN_FEATURES, `${teams} teams cannot each own a feature of a backlog of ${backlog.length}`, {
      teams,
      features: backlog.length,
    });
  if (roster.length < teams * teamSize)
    throw new TeamFormationError(
      E.ROSTER_TOO_SMALL,
      `${teams} teams of ${teamSize} need ${teams * teamSize} personas; the roster has ${roster.length}`,
      { teams, teamSize, roster: roster.length },
    );
}

interface Share {
  features: { featureId: string; index: number; reason: string }[];
  /** Specific skills (besides the stack's language and testing) of the share's features. */
  skills: Map<string, string[]>;
  needs: Needs;
}

function splitBacklog({ stack, backlog, teams }: FormationInput, random: Random): Share[] {
  const base = Math.floor(backlog.length / teams);
  let largerLeft = backlog.length % teams; // how many shares may hold base + 1
  const common = new Set([STACK_LANGUAGE[stack], 'testing']);
  const items = backlog
    .map((f, index) => ({ f, index, specific: unique([...f.skills].sort()).filter((s) => !common.has(s)) }))
    // Features with the most specific needs place first, those alike next to each other.
    .sort((a, b) => b.specific.length - a.specific.length || cmp(a.specific.join(','), b.specific.join(',')) || a.index - b.index);
  const shares: Share[] = Array.from({ length: teams }, () => ({ features: [], skills: new Map(), needs: new Map() }));
  for (const { f, index, specific } of items) {
    const open = shares.filter((s) => s.features.length < base || (s.features.length === base && largerLeft > 0));
    const overlap = (s: Share) => specific.filter((k) => s.skills.has(k));
    const share = pickBest(open, (s) => [overlap(s).length, -s.features.length], random);
    const shared = overlap(share);
    let reason: string;
    if (shared.length > 0) {
      const with_ = unique(shared.flatMap((k) => share.skills.get(k)!));
      reason = `grouped by skill: needs ${shared.join(', ')} like ${list(with_)} already on this team`;
    } else if (specific.length > 0) {
      reason = `first feature on this team needing ${specific.join(', ')}; placed on the team with the fewest features (${share.features.length}) to balance the backlog`;
    } else {
      reason = `needs only ${STACK_LANGUAGE[stack]} and testing; placed on the team with the fewest features (${share.features.length}) to balance the backlog`;
    }
    if (share.features.length === base) largerLeft--;
    share.features.push({ featureId: f.featureId, index, reason });
    for (const k of specific) share.skills.set(k, [...(share.skills.get(k) ?? []), f.featureId]);
  }
  for (const share of shares) share.needs = needsOf(stack, share.features.map((x) => backlog[x.index]));
  return shares;
}

function draft({ roster, teams, teamSize }: FormationInput, shares: Share[], random: Random): { persona: Persona; reason: string }[][] {
  const available = [...roster].sort((a, b) => cmp(a.personaId, b.personaId));
  const staffed: { persona: Persona; reason: string }[][] = shares.map(() => []);
  const totalPicks = teams * teamSize;
  let pickNo = 0;
  for (let round = 0; round < teamSize; round++) {
    const order = Array.from({ length: teams }, (_, t) => (round % 2 === 0 ? t : teams - 1 - t));
    for (const t of order) {
      const needs = shares[t].needs;
      const members = staffed[t].map((m) => m.persona);
      const best = (s: string) => Math.max(0, ...members.map((m) => level(m, s)));
      const gain = (p: Persona) => gainFor(p, needs, members);
      const depth = (p: Persona) => [...needs.keys()].reduce((sum, s) => sum + level(p, s), 0);
      // What the persona would add to the teams still drafting: among equal gains, leave them the one they need.
      const othersGain = (p: Persona) =>
        staffed.reduce((sum, ms, u) => (u === t || ms.length >= teamSize ? sum : sum + gainFor(p, shares[u].needs, ms.map((m) => m.persona))), 0);
      const persona = pickBest(available, (p) => [gain(p), -othersGain(p), depth(p)], random);
      available.splice(available.indexOf(persona), 1);
      pickNo++;
      const raised = byWeight(needs).filter((s) => level(persona, s) > best(s));
      const draftNote = `Drafted pick ${pickNo} of ${totalPicks} (round ${round + 1}).`;
      let reason: string;
      if (raised.length > 0) {
        const covers = raised.map((s) => `${s} ${level(persona, s)} (team best was ${best(s) || 'none'}; needed by ${list(needs.get(s)!)})`);
        reason = `Raises the team's best level in ${covers.join(', ')}. ${draftNote}`;
      } else if (depth(persona) > 0) {
        const has = byWeight(needs).filter((s) => level(persona, s) > 0);
        reason = `Adds depth in needed skills: ${has.map((s) => `${s} ${level(persona, s)}`).join(', ')} (for ${list(unique(has.flatMap((s) => needs.get(s)!)))}); no one left could raise the team's best level further. ${draftNote}`;
      } else {
        const own = Object.entries(persona.skills).sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([s, l]) => `${s} ${l}`);
        reason = `Has none of the skills this team's features need, but the team needs ${teamSize} members and no better fit was left; brings ${own.join(', ')}. ${draftNote}`;
      }
      staffed[t].push({ persona, reason });
    }
  }
  return staffed;
}

/** What a persona adds to a team's throughput: junior 1 … staff 4. */
export const capacityOf = (p: Persona) => seniorityRank(p) + 1;
const capacity = (members: readonly Persona[]) => members.reduce((sum, m) => sum + capacityOf(m), 0);
const spread = (caps: readonly number[]) => {
  const mean = caps.reduce((a, b) => a + b, 0) / caps.length;
  return caps.reduce((sum, c) => sum + (c - mean) ** 2, 0);
};
/** Best level per needed skill; a swap must not lower any of them. */
const bests = (members: readonly Persona[], needs: Needs) => [...needs.keys()].map((s) => Math.max(0, ...members.map((m) => level(m, s))));
const keepsCover = (before: readonly Persona[], after: readonly Persona[], needs: Needs) => {
  const b = bests(before, needs);
  return bests(after, needs).every((l, i) => l >= b[i]);
};

/**
 * Swaps members between teams while that strictly lowers the spread of team capacities and keeps
 * every team's best level in each skill it needs; the swapped members' reasons say so.
 * Terminates: each swap strictly lowers the spread.
 */
function balanceCapacity(staffed: { persona: Persona; reason: string }[][], shares: Share[], random: Random) {
  for (;;) {
    const caps = staffed.map((ms) => capacity(ms.map((m) => m.persona)));
    const current = spread(caps);
    type Swap = { i: number; a: number; j: number; b: number; after: number };
    const swaps: Swap[] = [];
    for (let i = 0; i < staffed.length; i++)
      for (let j = i + 1; j < staffed.length; j++)
        staffed[i].forEach((ma, a) =>
          staffed[j].forEach((mb, b) => {
            const delta = capacityOf(mb.persona) - capacityOf(ma.persona);
            if (delta === 0) return;
            const after = spread(caps.map((c, t) => (t === i ? c + delta : t === j ? c - delta : c)));
            if (after >= current - 1e-9) return;
            const ti = staffed[i].map((m) => m.persona);
            const tj = staffed[j].map((m) => m.persona);
            const ni = ti.map((p, k) => (k === a ? mb.persona : p));
            const nj = tj.map((p, k) => (k === b ? ma.persona : p));
            if (keepsCover(ti, ni, shares[i].needs) && keepsCover(tj, nj, shares[j].needs)) swaps.push({ i, a, j, b, after });
          }),
        );
    if (swaps.length === 0) return staffed;
    const { i, a, j, b } = pickBest(swaps, (s) => [-s.after], random);
    const ma = staffed[i][a];
    const mb = staffed[j][b];
    const balanced = (m: Persona, from: number, to: number, needs: Needs) => {
      const has = byWeight(needs).filter((s) => level(m, s) > 0);
      const brings = has.length ? `brings ${has.map((s) => `${s} ${level(m, s)}`).join(', ')} to this team's features` : 'has none of the skills this team needs';
      return `Moved here from Team ${from + 1} after the draft to balance capacity (a ${m.seniority}; capacities ${caps[from]}/${caps[to]} before the swap), keeping every team's best level in the skills it needs; ${brings}.`;
    };
    staffed[i][a] = { persona: mb.persona, reason: balanced(mb.persona, j, i, shares[i].needs) };
    staffed[j][b] = { persona: ma.persona, reason: balanced(ma.persona, i, j, shares[j].needs) };
  }
}

/** How much a persona raises a team's best levels in the skills it needs, weighted by how many features need each. */
function gainFor(p: Persona, needs: Needs, members: readonly Persona[]): number {
  let sum = 0;
  for (const [s, fs] of needs) sum += fs.length * Math.max(0, level(p, s) - Math.max(0, ...members.map((m) => level(m, s))));
  return sum;
}

interface Matching {
  pairs: [Persona, Persona][];
  solo: Persona | null;
  score: number;
}

/** Strong (≥3) in a needed skill where the other is weak (≤2). */
const strongWhereWeak = (a: Persona, b: Persona, needs: Needs) => byWeight(needs).filter((s) => level(a, s) >= COVERED_LEVEL && level(b, s) < COVERED_LEVEL);
const pairScore = (a: Persona, b: Persona, needs: Needs) =>
  2 * Math.abs(seniorityRank(a) - seniorityRank(b)) + strongWhereWeak(a, b, needs).length + strongWhereWeak(b, a, needs).length;

function matchings(members: Persona[], needs: Needs): Matching[] {
  const out: Matching[] = [];
  const go = (rest: Persona[], pairs: [Persona, Persona][], solo: Persona | null, score: number) => {
    if (rest.length === 0) return void out.push({ pairs, solo, score });
    const [first, ...others] = rest;
    if (rest.length % 2 === 1 && solo === null) go(others, pairs, first, score);
    others.forEach((other, i) => go([...others.slice(0, i), ...others.slice(i + 1)], [...pairs, [first, other]], solo, score + pairScore(first, other, needs)));
  };
  go(members, [], null, 0);
  return out;
}

export function formPairs(teamId: string, members: Persona[], needs: Needs, random: Random): { pairs: PlannedPair[]; solo: string | null; notes: Map<string, string> } {
  // An agent program works alone: it runs in place of the built-in loop that a navigator talks to.
  if (members.some((m) => m.program)) {
    const formed = formPairs(teamId, members.filter((m) => !m.program), needs, random);
    for (const p of members.filter((m) => m.program)) formed.notes.set(p.personaId, 'Works solo: an agent program runs alone, with no navigator.');
    return formed;
  }
  const notes = new Map<string, string>();
  if (members.length < 2) {
    if (members[0]) notes.set(members[0].personaId, 'Works solo: the only member of the team, so there is no one to pair with.');
    return { pairs: [], solo: members[0]?.personaId ?? null, notes };
  }
  const best = pickBest(matchings(members, needs), (m) => [m.score], random);
  const depth = (p: Persona) => [...needs.keys()].reduce((sum, s) => sum + level(p, s), 0);
  const pairs = best.pairs.map(([a, b], i): PlannedPair => {
    // The less senior drives (learning by doing); at equal seniority, the one less versed in the team's needs.
    const [driver, navigator] = pickBest([[a, b] as const, [b, a] as const], ([d, n]) => [seniorityRank(n) - seniorityRank(d), depth(n) - depth(d)], random);
    const navStrong = strongWhereWeak(navigator, driver, needs).map((s) => `${s} (${level(navigator, s)} vs ${level(driver, s)})`);
    const drvStrong = strongWhereWeak(driver, navigator, needs).map((s) => `${s} (${level(driver, s)} vs ${level(navigator, s)})`);
    const roles =
      seniorityRank(driver) < seniorityRank(navigator)
        ? `${driver.name} (${driver.seniority}) drives to learn by doing; ${navigator.name} (${navigator.seniority}) navigates, planning and reviewing.`
        : `Both are ${driver.seniority}; ${driver.name} drives as the one less versed in this team's skills, ${navigator.name} navigates.`;
    const complement = [
      navStrong.length ? `${navigator.name} is strong where ${driver.name} is weak in ${navStrong.join(', ')}` : '',
      drvStrong.length ? `${driver.name} is strong where ${navigator.name} is weak in ${drvStrong.join(', ')}` : '',
    ].filter(Boolean);
    const reason = `${roles} ${complement.length ? `Complementary: ${complement.join('; ')}.` : 'No skill gap between them to complement; paired for the seniority spread.'}`;
    notes.set(driver.personaId, `Pairs with ${navigator.name} as driver.`);
    notes.set(navigator.personaId, `Pairs with ${driver.name} as navigator.`);
    return { pairId: `${teamId}-pair-${i + 1}`, driver: driver.personaId, navigator: navigator.personaId, reason: clip(reason) };
  });
  if (best.solo)
    notes.set(
      best.solo.personaId,
      `Works solo: the team has an odd number of members (${members.length}) and the most complementary pairing of the others leaves ${best.solo.name} out.`,
    );
  return { pairs, solo: best.solo?.personaId ?? null, notes };
}

function teamName(t: number, stack: Stack, needs: Needs): string {
  const common = new Set([STACK_LANGUAGE[stack], 'testing']);
  const focus = byWeight(needs).filter((s) => !common.has(s)).slice(0, 2);
  return `Team ${t + 1} (${(focus.length ? focus : [STACK_LANGUAGE[stack]]).join(', ')})`;
}

/** Needed skills, the most needed first, then by name. */
function byWeight(needs: Needs): string[] {
  return [...needs.keys()].sort((a, b) => needs.get(b)!.length - needs.get(a)!.length || cmp(a, b));
}

const unique = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const list = (xs: readonly string[], max = 4) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);
const clip = (s: string) => (s.length <= 2000 ? s : `${s.slice(0, 1997)}...`);
