import type { HistoryEvent } from '@swe-sim/api-client';

/**
 * What the simulation page shows, folded from its history (the events so far): pure, so each part
 * is unit-tested without a browser, and the page re-renders by folding the same events again.
 */

export interface TeamView {
  teamId: string;
  name: string;
  members: { personaId: string; name: string; role: string; seniority: string; reason: string }[];
  features: { featureId: string; reason: string }[];
  pairs: { driver: string; navigator: string; reason: string }[];
  uncoveredSkills: string[];
}

export function teamsOf(events: readonly HistoryEvent[]): TeamView[] {
  const teams = new Map<string, TeamView>();
  for (const e of events) {
    if (e.type === 'TeamFormed') {
      teams.set(e.data.teamId, {
        teamId: e.data.teamId,
        name: e.data.name,
        members: e.data.members.map((m: any) => ({ personaId: m.personaId, name: m.name, role: m.role, seniority: m.seniority, reason: m.reason })),
        features: e.data.features,
        pairs: teams.get(e.data.teamId)?.pairs ?? [],
        uncoveredSkills: e.data.uncoveredSkills ?? [],
      });
    } else if (e.type === 'PairFormed') {
      teams.get(e.data.teamId)?.pairs.push({ driver: e.data.driver, navigator: e.data.navigator, reason: e.data.reason });
    }
  }
  return [...teams.values()];
}

export interface PokerRoundView {
  sprint: number;
  featureId: string;
  teamId: string;
  round: number;
  votes: { voter: string; points: number; rationale: string; fallback: boolean }[];
  diverged: { min: number; max: number; outliers: string[] } | null;
  agreed: { points: number; method: string } | null;
}

export function pokerRoundsOf(events: readonly HistoryEvent[]): PokerRoundView[] {
  const rounds = new Map<string, PokerRoundView>();
  const key = (d: any) => `${d.sprint}/${d.featureId}/${d.round}`;
  const lastRound = new Map<string, PokerRoundView>();
  for (const e of events) {
    const d = e.data;
    if (e.type === 'PlanningPokerRoundStarted') {
      const round: PokerRoundView = { sprint: d.sprint, featureId: d.featureId, teamId: d.teamId, round: d.round, votes: [], diverged: null, agreed: null };
      rounds.set(key(d), round);
      lastRound.set(`${d.sprint}/${d.featureId}`, round);
    } else if (e.type === 'EstimateCast') {
      rounds.get(key(d))?.votes.push({ voter: d.voter, points: d.points, rationale: d.rationale, fallback: !!d.fallback });
    } else if (e.type === 'EstimatesDiverged') {
      const r = rounds.get(key(d));
      if (r) r.diverged = { min: d.min, max: d.max, outliers: d.outliers.map((o: any) => o.voter) };
    } else if (e.type === 'EstimateAgreed') {
      // The agreement closes the feature's last round (it names how many rounds, not which).
      const r = lastRound.get(`${d.sprint}/${d.featureId}`);
      if (r) r.agreed = { points: d.points, method: d.method };
    }
  }
  return [...rounds.values()];
}

export type BoardColumn = 'todo' | 'in progress' | 'done' | 'abandoned';

export interface BoardCard {
  featureId: string;
  title: string;
  teamId: string | null;
  points: number | null;
  sprint: number | null;
  driver: string | null;
  column: BoardColumn;
}

/** The sprint board: every backlog feature by state, with its team, points and driver. */
export function boardOf(events: readonly HistoryEvent[]): Record<BoardColumn, BoardCard[]> {
  const cards = new Map<string, BoardCard>();
  for (const e of events) {
    const d = e.data;
    if (e.type === 'SimulationStarted') {
      for (const b of d.project?.backlog ?? []) cards.set(b.featureId, { featureId: b.featureId, title: b.title, teamId: null, points: null, sprint: null, driver: null, column: 'todo' });
    } else if (e.type === 'FeatureAssigned' || e.type === 'AgentTaskStarted') {
      const c = cards.get(d.featureId);
      if (c && c.column !== 'done') Object.assign(c, { teamId: d.teamId, sprint: d.sprint, driver: d.driver, points: d.points ?? c.points, column: e.type === 'AgentTaskStarted' ? 'in progress' : c.column });
    } else if (e.type === 'FeatureDone' || e.type === 'FeatureAbandoned') {
      const c = cards.get(d.featureId);
      if (c) c.column = e.type === 'FeatureDone' ? 'done' : 'abandoned';
    }
  }
  const board: Record<BoardColumn, BoardCard[]> = { todo: [], 'in progress': [], done: [], abandoned: [] };
  for (const c of cards.values()) board[c.column].push(c);
  return board;
}

export interface TimelineEntry {
  position: number;
  type: string;
  kind: 'simulation' | 'team' | 'planning' | 'turn' | 'tool' | 'review' | 'merge' | 'sandbox' | 'feature';
  summary: string;
}

const KIND: Record<string, TimelineEntry['kind']> = {
  SimulationStarted: 'simulation', SimulationCompleted: 'simulation', SimulationFailed: 'simulation', SimulationCancelled: 'simulation',
  SimulationResumed: 'simulation', SimulationReplayCompared: 'simulation',
  TeamFormed: 'team', PairFormed: 'team', MemberMoved: 'team', MemberJoined: 'team',
  SprintPlanningStarted: 'planning', EstimateAgreed: 'planning', SprintStarted: 'planning', SprintEnded: 'planning', FeatureAssigned: 'planning',
  AgentTaskStarted: 'turn', AgentTurnTaken: 'turn', PairRolesSwapped: 'turn', AgentTaskEnded: 'turn',
  ToolCallCompleted: 'tool',
  ReviewRequested: 'review', ReviewCommented: 'review', ReviewApproved: 'review',
  BranchMerged: 'merge', MergeConflicted: 'merge', AcceptanceTestsRun: 'merge',
  CommandExecuted: 'sandbox', FileWritten: 'sandbox', WorkspaceChanged: 'sandbox',
  FeatureDone: 'feature', FeatureAbandoned: 'feature',
};

const clip = (s: unknown, n = 90) => {
  const t = String(s ?? '').replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
};

function summary(e: HistoryEvent): string {
  const d = e.data ?? {};
  switch (e.type) {
    case 'TeamFormed': return `${d.name}: ${d.members.map((m: any) => m.personaId).join(', ')}`;
    case 'PairFormed': return `${d.driver} drives, ${d.navigator} navigates`;
    case 'SprintStarted': return `sprint ${d.sprint}: ${d.committedPoints} points committed`;
    case 'SprintEnded': return `sprint ${d.sprint}: ${d.deliveredPoints}/${d.committedPoints} points delivered`;
    case 'EstimateAgreed': return `${d.featureId}: ${d.points} points (${d.method}, ${d.rounds} rounds)`;
    case 'FeatureAssigned': return `${d.featureId} → ${d.teamId}, driver ${d.driver}`;
    case 'AgentTaskStarted': return `${d.featureId}: ${d.driver}${d.navigator ? ` with ${d.navigator}` : ''}`;
    case 'AgentTurnTaken': return `${d.speaker} turn ${d.turn}: ${d.failure ? d.failure.code : clip(d.content) || d.toolCalls.map((t: any) => t.name).join(', ')}`;
    case 'ToolCallCompleted': return `${d.name}${d.ok ? '' : ' failed'}: ${clip(d.output, 60)}`;
    case 'ReviewRequested': return `review round ${d.round} by ${d.reviewer}`;
    case 'ReviewCommented': return `${d.reviewer} comments: ${clip(d.comments)}`;
    case 'ReviewApproved': return `${d.reviewer} approves`;
    case 'BranchMerged': return `${d.branch} merged (${String(d.commit).slice(0, 8)})`;
    case 'MergeConflicted': return `merge conflict in ${d.files.join(', ')}`;
    case 'AcceptanceTestsRun': return `acceptance tests ${d.passed ? 'passed' : 'failed'}`;
    case 'CommandExecuted': return `exit ${d.exitCode} in ${d.durationMs} ms`;
    case 'FileWritten': return `wrote ${d.path}`;
    case 'WorkspaceChanged': return `${d.files.length} files changed`;
    case 'AgentTaskEnded': return `${d.outcome}${d.code ? ` ${d.code}` : ''} after ${d.turns} turns`;
    case 'FeatureDone': return `${d.featureId} done`;
    case 'FeatureAbandoned': return `${d.featureId} abandoned: ${d.code}`;
    case 'SimulationFailed': return `${d.code}: ${clip(d.reason)}`;
    case 'SimulationReplayCompared': return d.identical ? 'replay identical' : 'replay diverged';
    default: return '';
  }
}

/** The history's steps a person follows (turns, tools, reviews, merges, sandbox commands), in commit order. */
export function timelineOf(events: readonly HistoryEvent[]): TimelineEntry[] {
  return events.filter((e) => KIND[e.type]).map((e) => ({ position: e.position, type: e.type, kind: KIND[e.type], summary: summary(e) }));
}

/** The timeline entry at or just before `position` (the scrubber's index), or the last one. */
export function timelineIndexAt(timeline: readonly TimelineEntry[], position: number | null): number {
  if (timeline.length === 0) return -1;
  if (position === null) return timeline.length - 1;
  let found = 0;
  for (let i = 0; i < timeline.length; i++) if (timeline[i].position <= position) found = i;
  return found;
}

/**
 * Burndown of each sprint in commit order: the points left after each feature settled, from the
 * commitment down. x is the step within the sprint (0 at its start), so sprints overlay.
 */
export function burndownOf(events: readonly HistoryEvent[]): { sprint: number; committed: number; remaining: number[] }[] {
  const out: { sprint: number; committed: number; remaining: number[]; points: Record<string, number> }[] = [];
  for (const e of events) {
    const d = e.data;
    if (e.type === 'SprintStarted') {
      out.push({ sprint: d.sprint, committed: d.committedPoints, remaining: [d.committedPoints], points: Object.fromEntries(d.committed.map((c: any) => [c.featureId, c.points])) });
    } else if (e.type === 'FeatureDone' || e.type === 'FeatureAbandoned') {
      const sprint = out.find((s) => s.sprint === d.sprint);
      if (!sprint) continue;
      const left = sprint.remaining[sprint.remaining.length - 1];
      // An abandoned feature stays unburnt: its points remain.
      sprint.remaining.push(e.type === 'FeatureDone' ? left - (sprint.points[d.featureId] ?? 0) : left);
    }
  }
  return out.map(({ sprint, committed, remaining }) => ({ sprint, committed, remaining }));
}

/** uPlot's data for the burndown: x steps, one series per sprint (null where a sprint had fewer steps). */
export function burndownSeries(burndown: ReturnType<typeof burndownOf>): (number | null)[][] {
  const steps = Math.max(0, ...burndown.map((b) => b.remaining.length));
  const x = Array.from({ length: steps }, (_, i) => i);
  return [x, ...burndown.map((b) => x.map((i) => b.remaining[i] ?? null))];
}

/** Velocity per sprint: committed and delivered points (the metrics' sprints). */
export function velocitySeries(sprints: readonly { sprint: number; committedPoints: number; deliveredPoints: number }[]): number[][] {
  return [sprints.map((s) => s.sprint), sprints.map((s) => s.committedPoints), sprints.map((s) => s.deliveredPoints)];
}
