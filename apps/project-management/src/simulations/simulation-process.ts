import {
  AgentTaskSuspended,
  CommandExecuted,
  INFRASTRUCTURE_UNAVAILABLE,
  MemberJoined,
  MemberMoved,
  TeamsReviewed,
  EventData,
  EventDeadLettered,
  EstimateAgreed,
  FeatureAbandoned,
  FeatureAssigned,
  FeatureDone,
  LlmCallCompleted,
  PairFormed,
  SimulationCancelled,
  SimulationCompleted,
  SimulationFailed,
  SimulationMetrics,
  SimulationQueued,
  SimulationResumed,
  SimulationStarted,
  SprintEnded,
  SprintPlanningStarted,
  SprintStarted,
  TeamFormationCompleted,
  TeamFormationFailed,
  TeamFormed,
  simulationStream,
  sprintStream,
} from '@swe-sim/contracts';

/** The events that move a simulation along, as the process manager reads them. */
export type ProcessInput =
  | { type: 'SimulationStarted'; data: EventData<typeof SimulationStarted> }
  | { type: 'TeamFormed'; data: EventData<typeof TeamFormed> }
  | { type: 'PairFormed'; data: EventData<typeof PairFormed> }
  | { type: 'TeamFormationCompleted'; data: EventData<typeof TeamFormationCompleted> }
  | { type: 'TeamFormationFailed'; data: EventData<typeof TeamFormationFailed> }
  | { type: 'EstimateAgreed'; data: EventData<typeof EstimateAgreed> }
  | { type: 'FeatureDone'; data: EventData<typeof FeatureDone> }
  | { type: 'FeatureAbandoned'; data: EventData<typeof FeatureAbandoned> }
  | { type: 'LlmCallCompleted'; data: EventData<typeof LlmCallCompleted> }
  | { type: 'SimulationCancelled'; data: EventData<typeof SimulationCancelled> }
  | { type: 'CommandExecuted'; data: EventData<typeof CommandExecuted> }
  | { type: 'MemberMoved'; data: EventData<typeof MemberMoved> }
  | { type: 'MemberJoined'; data: EventData<typeof MemberJoined> }
  | { type: 'TeamsReviewed'; data: EventData<typeof TeamsReviewed> }
  | { type: 'EventDeadLettered'; data: EventData<typeof EventDeadLettered> }
  | { type: 'AgentTaskSuspended'; data: EventData<typeof AgentTaskSuspended> }
  | { type: 'SimulationQueued'; data: EventData<typeof SimulationQueued> }
  | { type: 'SimulationResumed'; data: EventData<typeof SimulationResumed> };

/** Every input type: a record, so that the compiler refuses a list that misses one. */
const INPUT_TYPES: Record<ProcessInput['type'], true> = {
  SimulationStarted: true,
  TeamFormed: true,
  PairFormed: true,
  TeamFormationCompleted: true,
  TeamFormationFailed: true,
  EstimateAgreed: true,
  FeatureDone: true,
  FeatureAbandoned: true,
  LlmCallCompleted: true,
  SimulationCancelled: true,
  CommandExecuted: true,
  MemberMoved: true,
  MemberJoined: true,
  TeamsReviewed: true,
  EventDeadLettered: true,
  AgentTaskSuspended: true,
  SimulationQueued: true,
  SimulationResumed: true,
};
export const PROCESS_INPUT_TYPES = Object.keys(INPUT_TYPES) as ProcessInput['type'][];

export interface TeamPlan {
  members: { personaId: string; seniority: string }[];
  features: string[];
  pairs: { driver: string; navigator: string }[];
}

/** The statuses of a simulation that holds a slot and moves (it is waiting for its agents or team-formation). */
export type ActiveStatus = 'forming' | 'planning' | 'running' | 'reviewing';

/**
 * A resumable failure: infrastructure stopped the simulation (an agent task suspended), nothing
 * the agents did. Inputs still arrive (tasks that were past their last fault finish) and are
 * folded as if the simulation ran; what they would make it do waits in `pending` until it resumes.
 */
export interface Suspension {
  /** Where the simulation stands once the inputs folded meanwhile are counted: what it goes back to. */
  resumeTo: ActiveStatus | 'completed';
  code: string;
  reason: string;
  /** When it failed: the time until it resumes is not the simulation's (wall-time budget, metrics). */
  since: string;
  pending: Reaction[];
}

export interface SimulationProcess {
  simulationId: string;
  projectId: string;
  /**
   * queued: waiting for a slot (SIMULATIONS_MAX_RUNNING), before its start or for its resume.
   * reviewing: a sprint ended and team-formation is deciding whether members move.
   * failed with a `suspension`: resumable (POST /simulations/:id/resume), so not an end.
   */
  status: 'queued' | ActiveStatus | 'completed' | 'failed' | 'cancelled';
  /** When it started (while queued before its start: when it was queued). */
  startedAt: string;
  /** When it was queued, for a simulation that went through the queue (all since the queue exists). */
  queuedAt?: string;
  /** Set while failed resumable (older states have none: read as null). */
  suspension?: Suspension | null;
  /** How the simulation failed (kept after a resume, with `resumable` telling whether it could). */
  failure?: { code: string; reason: string; resumable: boolean; at: string } | null;
  /** SimulationResumed so far. */
  resumptions?: number;
  /** Time spent failed resumable and waiting for a resume: not counted against maxWallTimeMs. */
  pausedMs?: number;
  config: { sprintsMax: number; capacityPerMember: number; pairing: boolean; review: boolean; maxTokens: number; maxWallTimeMs: number };
  /** Backlog order is priority order. */
  backlog: { featureId: string; tests: number; skills: string[] }[];
  roles: Record<string, string>;
  /** The agent programs of the roster: never reviewers (a review is the built-in loop's); absent in older states. */
  programs?: string[];
  /** Each persona's skill levels, for assigning features to whoever fits them best. */
  skills: Record<string, Record<string, number>>;
  teams: Record<string, TeamPlan>;
  sprint: number;
  candidates: Record<string, string>;
  estimates: Record<string, number>;
  committed: Record<string, { teamId: string; points: number }>;
  /** Agreed points of every feature ever committed (estimates are per sprint). */
  points: Record<string, number>;
  outcomes: Record<string, 'done' | 'abandoned'>;
  done: string[];
  effort: Record<string, { turns: number; tokens: number; done: boolean }>;
  sprints: { sprint: number; committedPoints: number; deliveredPoints: number }[];
  acceptanceTestsPassed: number;
  tokensByRole: Record<string, { prompt: number; completion: number }>;
  llmTimeMs: number;
  sandboxTimeMs: number;
}

/** A simulation that completed, failed for good or was cancelled: nothing moves it any more. A resumable failure is not an end. */
export const hasEnded = (s: Pick<SimulationProcess, 'status' | 'suspension'>) =>
  s.status === 'completed' || s.status === 'cancelled' || (s.status === 'failed' && !s.suspension);

/** What the process appends in reaction to one input: per stream, with the version it expects. */
export interface Reaction {
  streamId: string;
  expectedVersion: 'no_stream' | 'any';
  events: { type: string; data: unknown }[];
}

export function startProcess(e: EventData<typeof SimulationStarted>, recordedAt: string): SimulationProcess {
  return {
    simulationId: e.simulationId,
    projectId: e.project.projectId,
    status: 'forming',
    startedAt: recordedAt,
    config: {
      sprintsMax: e.config.sprints.max,
      capacityPerMember: e.config.sprints.capacityPointsPerMember,
      pairing: e.config.process.pairing,
      review: e.config.process.review,
      maxTokens: e.config.budgets.maxTokens,
      maxWallTimeMs: e.config.budgets.maxWallTimeMs,
    },
    backlog: e.project.backlog.map((b) => ({ featureId: b.featureId, tests: b.tests.length, skills: b.skills })),
    roles: Object.fromEntries(e.config.roster.map((p) => [p.personaId, p.role])),
    skills: Object.fromEntries(e.config.roster.map((p) => [p.personaId, p.skills])),
    ...(e.config.roster.some((p) => p.program) ? { programs: e.config.roster.filter((p) => p.program).map((p) => p.personaId) } : {}),
    teams: {},
    sprint: 0,
    candidates: {},
    estimates: {},
    committed: {},
    points: {},
    outcomes: {},
    done: [],
    effort: {},
    sprints: [],
    acceptanceTestsPassed: 0,
    tokensByRole: {},
    llmTimeMs: 0,
    sandboxTimeMs: 0,
    suspension: null,
    failure: null,
    resumptions: 0,
    pausedMs: 0,
  };
}

/** A simulation waiting for its first slot: what it will be, nothing decided yet. */
export function queueProcess(e: EventData<typeof SimulationStarted>, recordedAt: string): SimulationProcess {
  return { ...startProcess(e, recordedAt), status: 'queued', queuedAt: recordedAt };
}

/**
 * Folds one input into the state and returns what to append in reaction. Pure; `recordedAt` of
 * the input stands for "now", so re-running over a history reproduces the same reactions.
 * Reactions are keyed by their stream (sprint-<sim>-<n> opens with 'no_stream'), so an input read
 * twice cannot make them twice.
 */
export function processInput(
  state: SimulationProcess,
  input: ProcessInput,
  recordedAt: string,
): { state: SimulationProcess; reactions: Reaction[] } {
  if (hasEnded(state)) return { state, reactions: [] };
  if (state.suspension) return whileSuspended(structuredClone(state), input, recordedAt);
  if (state.status === 'queued') return whileQueued(state, input, recordedAt);
  if (input.type === 'AgentTaskSuspended' && (input.data.resumptions ?? Infinity) < (state.resumptions ?? 0)) {
    // Decided before the last resume (the task saw fewer resumptions than there have been): it belongs
    // to the episode that resume ended, and the task goes on after it — not a new fault.
    return { state, reactions: [] };
  }
  const result = input.type === 'AgentTaskSuspended' ? suspend(structuredClone(state), input.data, recordedAt) : step(structuredClone(state), input, recordedAt);
  const s = result.state;
  if (hasEnded(s) || s.suspension) return result;
  // Budgets of the whole simulation, checked as its events arrive.
  const tokens = Object.values(s.tokensByRole).reduce((n, t) => n + t.prompt + t.completion, 0);
  if (tokens > s.config.maxTokens) return fail(s, 'BUDGET_EXHAUSTED', `used ${tokens} tokens, over the budget of ${s.config.maxTokens}`, recordedAt);
  const elapsed = ranFor(s, recordedAt);
  if (elapsed > s.config.maxWallTimeMs) return fail(s, 'BUDGET_EXHAUSTED', `ran ${elapsed} ms, over the budget of ${s.config.maxWallTimeMs} ms`, recordedAt);
  return result;
}

/** Before its first slot only its start (or a cancel) moves a simulation. */
function whileQueued(state: SimulationProcess, input: ProcessInput, recordedAt: string): { state: SimulationProcess; reactions: Reaction[] } {
  if (input.type === 'SimulationStarted') return { state: { ...startProcess(input.data, recordedAt), queuedAt: state.queuedAt }, reactions: [] };
  if (input.type === 'SimulationCancelled') return { state: { ...state, status: 'cancelled' }, reactions: [] };
  return { state, reactions: [] };
}

/**
 * The first suspended task of a running simulation fails it, resumable: infrastructure stayed
 * broken past agent-execution's retries, and the simulation should not go on as if the task had
 * an outcome. Later suspensions of the same episode add nothing (see whileSuspended).
 */
function suspend(s: SimulationProcess, d: EventData<typeof AgentTaskSuspended>, recordedAt: string): { state: SimulationProcess; reactions: Reaction[] } {
  const reason = `task ${d.taskId} was suspended at its ${d.step} step (${d.code}): ${d.reason}`.slice(0, 10_000);
  const resumeTo = s.status as ActiveStatus;
  const result = fail(s, INFRASTRUCTURE_UNAVAILABLE, reason, recordedAt, true);
  result.state.suspension = { resumeTo, code: INFRASTRUCTURE_UNAVAILABLE, reason, since: recordedAt, pending: [] };
  return result;
}

/**
 * Failed resumable. A resume puts the simulation back where it stands, with what it decided
 * meanwhile; a cancel or a failure for good ends it. Anything else is folded as if it ran — a
 * FeatureDone of a task that finished after the failure must count — but what it would make the
 * simulation do (end the sprint, commit the next…) waits in `pending` until the resume: a failed
 * simulation starts nothing. Budgets are checked again from the first input after the resume.
 */
function whileSuspended(s: SimulationProcess, input: ProcessInput, recordedAt: string): { state: SimulationProcess; reactions: Reaction[] } {
  const suspension = s.suspension!;
  switch (input.type) {
    case 'SimulationResumed': {
      s.status = suspension.resumeTo;
      s.pausedMs = (s.pausedMs ?? 0) + Math.max(0, Date.parse(recordedAt) - Date.parse(suspension.since));
      s.resumptions = input.data.resumption;
      s.suspension = null;
      return { state: s, reactions: suspension.pending };
    }
    case 'SimulationQueued':
      // Its resume waits for a slot.
      if (input.data.resume) s.status = 'queued';
      return { state: s, reactions: [] };
    case 'SimulationCancelled':
      s.status = 'cancelled';
      s.suspension = null;
      return { state: s, reactions: [] };
    case 'AgentTaskSuspended':
    case 'SimulationStarted':
      return { state: s, reactions: [] };
    default: {
      const shown = s.status;
      const result = step({ ...s, status: suspension.resumeTo }, input, recordedAt);
      const next = result.state;
      // A failure for good (a dead letter) ends it now, whatever infrastructure does next.
      if (next.status === 'failed' || next.status === 'cancelled') return { state: { ...next, suspension: null }, reactions: result.reactions };
      next.suspension = { ...suspension, resumeTo: next.status as Suspension['resumeTo'], pending: [...suspension.pending, ...result.reactions] };
      next.status = shown;
      return { state: next, reactions: [] };
    }
  }
}

/** Time the simulation has run: since its start, less the time it spent failed resumable. */
function ranFor(s: SimulationProcess, recordedAt: string): number {
  const now = s.suspension ? Math.min(Date.parse(recordedAt), Date.parse(s.suspension.since)) : Date.parse(recordedAt);
  return now - Date.parse(s.startedAt) - (s.pausedMs ?? 0);
}

function step(s: SimulationProcess, input: ProcessInput, recordedAt: string): { state: SimulationProcess; reactions: Reaction[] } {
  switch (input.type) {
    case 'SimulationStarted':
    case 'SimulationQueued':
    case 'SimulationResumed':
    case 'AgentTaskSuspended':
      return { state: s, reactions: [] };
    case 'TeamFormed':
      s.teams[input.data.teamId] = {
        members: input.data.members.map((m) => ({ personaId: m.personaId, seniority: m.seniority })),
        features: input.data.features.map((f) => f.featureId),
        pairs: s.teams[input.data.teamId]?.pairs ?? [],
      };
      return { state: s, reactions: [] };
    case 'PairFormed':
      (s.teams[input.data.teamId] ??= { members: [], features: [], pairs: [] }).pairs.push({
        driver: input.data.driver,
        navigator: input.data.navigator,
      });
      return { state: s, reactions: [] };
    case 'TeamFormationCompleted':
      return planSprint(s, 1);
    case 'TeamFormationFailed':
      return fail(s, input.data.code, input.data.reason, recordedAt);
    case 'EstimateAgreed': {
      if (input.data.sprint !== s.sprint || !(input.data.featureId in s.candidates)) return { state: s, reactions: [] };
      s.estimates[input.data.featureId] = input.data.points;
      const allEstimated = Object.keys(s.candidates).every((f) => f in s.estimates);
      return allEstimated && s.status === 'planning' ? commitSprint(s) : { state: s, reactions: [] };
    }
    case 'FeatureDone':
    case 'FeatureAbandoned': {
      const d = input.data;
      if (d.sprint !== s.sprint || !(d.featureId in s.committed) || d.featureId in s.outcomes) return { state: s, reactions: [] };
      const done = input.type === 'FeatureDone';
      s.outcomes[d.featureId] = done ? 'done' : 'abandoned';
      if (done) {
        s.done.push(d.featureId);
        s.acceptanceTestsPassed += input.data.acceptanceTestsPassed;
      }
      s.effort[d.featureId] = { turns: d.effort.turns, tokens: d.effort.promptTokens + d.effort.completionTokens, done };
      const allFinished = Object.keys(s.committed).every((f) => f in s.outcomes);
      return allFinished ? endSprint(s, recordedAt) : { state: s, reactions: [] };
    }
    case 'LlmCallCompleted': {
      // Agent ids are <personaId>/<activity>: the persona's role is what the tokens count toward.
      const personaId = input.data.callKey.agentId.split('/')[0];
      const role = s.roles[personaId] ?? personaId;
      const t = (s.tokensByRole[role] ??= { prompt: 0, completion: 0 });
      t.prompt += input.data.usage.promptTokens;
      t.completion += input.data.usage.completionTokens;
      s.llmTimeMs += input.data.timings.latencyMs;
      return { state: s, reactions: [] };
    }
    case 'SimulationCancelled':
      s.status = 'cancelled';
      return { state: s, reactions: [] };
    case 'CommandExecuted':
      s.sandboxTimeMs += input.data.durationMs;
      return { state: s, reactions: [] };
    case 'MemberMoved': {
      const m = input.data;
      const from = s.teams[m.fromTeamId];
      const to = s.teams[m.toTeamId];
      const member = from?.members.find((x) => x.personaId === m.personaId);
      if (!from || !to || !member) return { state: s, reactions: [] };
      from.members = from.members.filter((x) => x.personaId !== m.personaId);
      to.members.push(member);
      // The pair the member leaves is broken; the partner works solo until pairs are formed again.
      from.pairs = from.pairs.filter((p) => p.driver !== m.personaId && p.navigator !== m.personaId);
      return { state: s, reactions: [] };
    }
    case 'MemberJoined': {
      const team = s.teams[input.data.teamId];
      if (team && !team.members.some((m) => m.personaId === input.data.member.personaId)) {
        team.members.push({ personaId: input.data.member.personaId, seniority: input.data.member.seniority });
      }
      return { state: s, reactions: [] };
    }
    case 'EventDeadLettered': {
      // A service gave up on one of this simulation's events: what it was to do will not happen,
      // so the simulation would wait for ever. It fails instead, saying who failed on what.
      const d = input.data;
      return fail(s, 'EVENT_DEAD_LETTERED', `${d.subscription} gave up on ${d.type} ${d.eventId} after ${d.attempts} attempts: ${d.error}`.slice(0, 10_000), recordedAt);
    }
    case 'TeamsReviewed':
      if (s.status !== 'reviewing' || input.data.beforeSprint !== s.sprint + 1) return { state: s, reactions: [] };
      return planSprint(s, input.data.beforeSprint);
    default: {
      const unhandled: never = input;
      throw new Error(`unhandled input ${(unhandled as { type: string }).type}`);
    }
  }
}

function planSprint(s: SimulationProcess, sprint: number): { state: SimulationProcess; reactions: Reaction[] } {
  s.status = 'planning';
  s.sprint = sprint;
  s.candidates = {};
  s.estimates = {};
  s.committed = {};
  s.outcomes = {};
  const candidates = Object.entries(s.teams)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([teamId, team]) => ({ teamId, featureIds: team.features.filter((f) => !s.done.includes(f)) }))
    .filter((c) => c.featureIds.length > 0);
  candidates.forEach((c) => c.featureIds.forEach((f) => (s.candidates[f] = c.teamId)));
  const data: EventData<typeof SprintPlanningStarted> = { simulationId: s.simulationId, sprint, candidates };
  return {
    state: s,
    reactions: [{ streamId: sprintStream(s.simulationId, sprint), expectedVersion: 'no_stream', events: [{ type: SprintPlanningStarted.type, data }] }],
  };
}

/** Commits, per team, the highest-priority estimated features that fit its capacity, and assigns them. */
function commitSprint(s: SimulationProcess): { state: SimulationProcess; reactions: Reaction[] } {
  const assigned: EventData<typeof FeatureAssigned>[] = [];
  for (const [teamId, team] of Object.entries(s.teams).sort(([a], [b]) => a.localeCompare(b))) {
    const capacity = team.members.length * s.config.capacityPerMember;
    const order = s.backlog.map((b) => b.featureId).filter((f) => s.candidates[f] === teamId);
    let used = 0;
    const load = new Map<number, number>();
    for (const featureId of order) {
      const points = s.estimates[featureId];
      if (used > 0 && used + points > capacity) continue; // the first one always goes in: a sprint must make progress
      used += points;
      assigned.push({ simulationId: s.simulationId, sprint: s.sprint, teamId, featureId, points: points as never, ...assignees(s, team, featureId, points, load) });
    }
  }
  s.status = 'running';
  assigned.forEach((a) => {
    s.committed[a.featureId] = { teamId: a.teamId, points: a.points };
    s.points[a.featureId] = a.points;
  });
  const committedPoints = assigned.reduce((n, a) => n + a.points, 0);
  const started: EventData<typeof SprintStarted> = {
    simulationId: s.simulationId,
    sprint: s.sprint,
    committed: assigned.map((a) => ({ teamId: a.teamId, featureId: a.featureId, points: a.points })),
    committedPoints,
  };
  return {
    state: s,
    reactions: [
      {
        streamId: sprintStream(s.simulationId, s.sprint),
        expectedVersion: 'any',
        events: [...assigned.map((data) => ({ type: FeatureAssigned.type, data })), { type: SprintStarted.type, data: started }],
      },
    ],
  };
}

/**
 * Work units are the pairs and the members left out of pairs (solo) — or, without pairing, every
 * member. A feature goes to the unit whose best levels in the feature's skills are highest, the
 * least loaded among equals (points already assigned this sprint), then the first. The reviewer is
 * the most senior other member.
 */
function assignees(s: SimulationProcess, team: TeamPlan, featureId: string, points: number, load: Map<number, number>) {
  const bySeniority = [...team.members].sort((a, b) => rank(b.seniority) - rank(a.seniority) || a.personaId.localeCompare(b.personaId));
  const paired = new Set(team.pairs.flatMap((p) => [p.driver, p.navigator]));
  const units: { driver: string; navigator: string | null }[] = s.config.pairing
    ? [...team.pairs, ...team.members.filter((m) => !paired.has(m.personaId)).map((m) => ({ driver: m.personaId, navigator: null }))]
    : team.members.map((m) => ({ driver: m.personaId, navigator: null }));
  const needs = s.backlog.find((b) => b.featureId === featureId)?.skills ?? [];
  const fit = (u: (typeof units)[number]) =>
    needs.reduce((sum, skill) => sum + Math.max(...[u.driver, u.navigator].filter((p): p is string => !!p).map((p) => s.skills?.[p]?.[skill] ?? 0)), 0);
  let best = 0;
  for (let i = 1; i < units.length; i++) {
    const better = fit(units[i]) - fit(units[best]) || (load.get(best) ?? 0) - (load.get(i) ?? 0);
    if (better > 0) best = i;
  }
  load.set(best, (load.get(best) ?? 0) + points);
  const unit = units[best];
  const fitText = needs.length ? `best fit for ${needs.join(', ')} (level ${fit(unit)} in all)` : 'no particular skill needed';
  let reason = unit.navigator
    ? `pair ${unit.driver} (driving) and ${unit.navigator} (navigating): ${fitText}, ${load.get(best)} points this sprint`
    : `${unit.driver}${s.config.pairing ? ' works solo (not in a pair)' : ''}: ${fitText}, ${load.get(best)} points this sprint`;
  const canReview = (id: string) => id !== unit.driver && id !== unit.navigator && !s.programs?.includes(id);
  const reviewer = s.config.review ? (bySeniority.find((m) => canReview(m.personaId))?.personaId ?? null) : null;
  if (s.config.review && !reviewer) reason += '; no one else on the team to review';
  return { driver: unit.driver, navigator: unit.navigator, reviewer, reason };
}

const rank = (seniority: string) => ['junior', 'mid', 'senior', 'staff'].indexOf(seniority);

function endSprint(s: SimulationProcess, recordedAt: string): { state: SimulationProcess; reactions: Reaction[] } {
  const committedPoints = Object.values(s.committed).reduce((n, c) => n + c.points, 0);
  const doneNow = Object.keys(s.committed).filter((f) => s.outcomes[f] === 'done');
  const deliveredPoints = doneNow.reduce((n, f) => n + s.committed[f].points, 0);
  s.sprints.push({ sprint: s.sprint, committedPoints, deliveredPoints });
  const ended: EventData<typeof SprintEnded> = {
    simulationId: s.simulationId,
    sprint: s.sprint,
    committedPoints,
    deliveredPoints,
    velocity: deliveredPoints,
    done: doneNow,
    carriedOver: Object.keys(s.committed).filter((f) => s.outcomes[f] !== 'done'),
    doneSoFar: inBacklogOrder(s, s.done),
  };
  const end: Reaction = { streamId: sprintStream(s.simulationId, s.sprint), expectedVersion: 'any', events: [{ type: SprintEnded.type, data: ended }] };
  const allDone = s.backlog.every((b) => s.done.includes(b.featureId));
  if (allDone || s.sprint >= s.config.sprintsMax) {
    s.status = 'completed';
    const completed: EventData<typeof SimulationCompleted> = { simulationId: s.simulationId, metrics: metrics(s, recordedAt) };
    return {
      state: s,
      reactions: [end, { streamId: simulationStream(s.simulationId), expectedVersion: 'any', events: [{ type: SimulationCompleted.type, data: completed }] }],
    };
  }
  // The next sprint is planned once team-formation has reviewed the teams (TeamsReviewed).
  s.status = 'reviewing';
  return { state: s, reactions: [end] };
}

function fail(s: SimulationProcess, code: string, reason: string, recordedAt: string, resumable = false): { state: SimulationProcess; reactions: Reaction[] } {
  const data: EventData<typeof SimulationFailed> = { simulationId: s.simulationId, code, reason, metrics: metrics(s, recordedAt), ...(resumable ? { resumable } : {}) };
  s.status = 'failed';
  s.failure = { code, reason, resumable, at: recordedAt };
  return { state: s, reactions: [{ streamId: simulationStream(s.simulationId), expectedVersion: 'any', events: [{ type: SimulationFailed.type, data }] }] };
}

/**
 * Features in priority order, not in the order their outcomes arrived: concurrent tasks end in
 * any order, and what the process records must not depend on it (a replay must decide the same).
 */
function inBacklogOrder(s: SimulationProcess, featureIds: readonly string[]): string[] {
  const chosen = new Set(featureIds);
  return s.backlog.map((b) => b.featureId).filter((f) => chosen.has(f));
}

export function metrics(s: SimulationProcess, recordedAt: string): SimulationMetrics {
  return {
    featuresTotal: s.backlog.length,
    featuresDone: s.done.length,
    acceptanceTestsTotal: s.backlog.reduce((n, b) => n + b.tests, 0),
    acceptanceTestsPassed: s.acceptanceTestsPassed,
    sprints: s.sprints,
    estimation: inBacklogOrder(s, Object.keys(s.effort)).map((featureId) => ({ featureId, points: s.points[featureId] ?? 0, ...s.effort[featureId] })),
    tokensByRole: s.tokensByRole,
    llmTimeMs: Math.round(s.llmTimeMs),
    sandboxTimeMs: s.sandboxTimeMs,
    wallTimeMs: s.status === 'queued' && !s.suspension ? 0 : Math.max(0, ranFor(s, recordedAt)),
  };
}
