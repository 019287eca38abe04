import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SimulationStarted } from '@swe-sim/contracts';
import { fold } from '@swe-sim/event-store';
import { PROCESS_INPUT_TYPES, ProcessInput, SimulationProcess, metrics, processInput, startProcess } from '../simulation-process';

/** An event as the rebuild needs it. */
export interface HistoryEvent {
  type: string;
  data: any;
  globalPosition: number;
  recordedAt: string;
}

export interface TaskView {
  taskId: string;
  featureId: string;
  teamId: string;
  sprint: number;
  driver: string;
  navigator: string | null;
  reviewer: string | null;
  turns: number;
  status: 'running' | 'reviewing' | 'integrating' | 'done' | 'abandoned';
  code: string | null;
}

/**
 * The fold's state after some events of a simulation: plain JSON (no Map, no Date, no undefined
 * that matters), so that it can be stored as a snapshot and the fold resumed from it.
 */
export interface SimulationState {
  process: SimulationProcess;
  /** The backlog's titles, from SimulationStarted (the process keeps only what it decides with). */
  backlog: { featureId: string; title: string }[];
  /** Tasks in the order they started; taskIndex finds one by id. */
  tasks: TaskView[];
  taskIndex: Record<string, number>;
  /** How many of the simulation's events were folded, and the last one's position and time. */
  events: number;
  position: number;
  at: string;
}

const INPUTS = new Set<string>(PROCESS_INPUT_TYPES);

/** Before the first event: nothing. A simulation's history starts with SimulationStarted. */
export const initialSimulationState: SimulationState | null = null;

/**
 * The fold's version, for snapshots: a hash of the code that folds (this module and the simulation
 * process it runs), so a state stored by other code is never resumed — a change, even one thought
 * harmless, costs a re-fold, never a wrong state. Read from the modules' own files (the compiled
 * ones in dist, the sources under ts-jest).
 */
export const SIMULATION_STATE_FOLD_VERSION = createHash('sha256')
  .update(readFileSync(__filename))
  .update(readFileSync(require.resolve('../simulation-process')))
  .digest('hex')
  .slice(0, 16);

/**
 * Folds one event. Pure: the state given is not changed (what changes is copied), so a state may be
 * kept (as a snapshot) while the fold goes on. A history that does not start with SimulationStarted
 * has no state.
 */
export function evolve(state: SimulationState | null, e: HistoryEvent): SimulationState | null {
  if (state === null) {
    if (e.type !== SimulationStarted.type) return null;
    return {
      process: startProcess(e.data, e.recordedAt),
      backlog: (e.data.project.backlog as { featureId: string; title: string }[]).map((b) => ({ featureId: b.featureId, title: b.title })),
      tasks: [],
      taskIndex: {},
      events: 1,
      position: e.globalPosition,
      at: e.recordedAt,
    };
  }
  const next: SimulationState = { ...state, events: state.events + 1, position: e.globalPosition, at: e.recordedAt };
  if (INPUTS.has(e.type)) next.process = processInput(state.process, { type: e.type, data: e.data } as ProcessInput, e.recordedAt).state;
  if (e.type === 'AgentTaskStarted') {
    const task: TaskView = {
      taskId: e.data.taskId,
      featureId: e.data.featureId,
      teamId: e.data.teamId,
      sprint: e.data.sprint,
      driver: e.data.driver,
      navigator: e.data.navigator,
      reviewer: e.data.reviewer,
      turns: 0,
      status: 'running',
      code: null,
    };
    const i = Object.prototype.hasOwnProperty.call(state.taskIndex, task.taskId) ? state.taskIndex[task.taskId] : undefined;
    if (i === undefined) {
      next.tasks = [...state.tasks, task];
      next.taskIndex = { ...state.taskIndex, [task.taskId]: state.tasks.length };
    } else next.tasks = replaceAt(state.tasks, i, task); // started again: keeps its place
    return next;
  }
  const taskId = e.data?.taskId;
  const i = typeof taskId === 'string' && Object.prototype.hasOwnProperty.call(state.taskIndex, taskId) ? state.taskIndex[taskId] : undefined;
  if (i === undefined) return next;
  const changed = evolveTask(state.tasks[i], e);
  if (changed !== state.tasks[i]) next.tasks = replaceAt(state.tasks, i, changed);
  return next;
}

function evolveTask(task: TaskView, e: HistoryEvent): TaskView {
  switch (e.type) {
    case 'AgentTurnTaken':
      return { ...task, turns: e.data.turn };
    case 'AgentProgramRan':
      // An agent program's calls are its task's turns.
      return { ...task, turns: task.turns + e.data.calls };
    case 'PairRolesSwapped':
      return { ...task, driver: e.data.driver, navigator: e.data.navigator };
    case 'ReviewRequested':
      return { ...task, status: 'reviewing' };
    case 'ReviewCommented':
    case 'MergeConflicted':
      return { ...task, status: 'running' };
    case 'ReviewApproved':
      return { ...task, status: 'integrating' };
    case 'AcceptanceTestsRun':
      return e.data.passed ? task : { ...task, status: 'running' };
    case 'AgentTaskEnded':
      return { ...task, status: e.data.outcome, code: e.data.code };
    default:
      return task;
  }
}

const replaceAt = <T>(xs: readonly T[], i: number, x: T): T[] => {
  const copy = xs.slice();
  copy[i] = x;
  return copy;
};

/**
 * What GET /simulations/:id/state shows of a state: status, backlog with estimates, teams, sprint,
 * each agent task's progress, what each agent is working on, metrics.
 */
export function present(state: SimulationState) {
  const process = state.process;
  const agents: Record<string, { working: { taskId: string; featureId: string; as: 'driver' | 'navigator' }[] }> = {};
  for (const id of Object.keys(process.roles)) agents[id] = { working: [] };
  for (const t of state.tasks) {
    if (t.status === 'done' || t.status === 'abandoned') continue;
    agents[t.driver]?.working.push({ taskId: t.taskId, featureId: t.featureId, as: 'driver' });
    if (t.navigator) agents[t.navigator]?.working.push({ taskId: t.taskId, featureId: t.featureId, as: 'navigator' });
  }
  return {
    simulationId: process.simulationId,
    projectId: process.projectId,
    position: state.position,
    at: state.at,
    status: process.status,
    backlog: state.backlog.map((b) => ({
      featureId: b.featureId,
      title: b.title,
      estimate: process.points[b.featureId] ?? process.estimates[b.featureId] ?? null,
      done: process.done.includes(b.featureId),
    })),
    teams: process.teams,
    sprint: { number: process.sprint, candidates: process.candidates, estimates: process.estimates, committed: process.committed, outcomes: process.outcomes },
    tasks: state.tasks,
    agents,
    metrics: metrics(process, state.at),
  };
}

export type SimulationStateView = ReturnType<typeof present>;

/**
 * The simulation as it was after the given events, folded from the start: the simulation process
 * (teams, sprint, estimates, commitments, outcomes, metrics) plus each agent task's progress and
 * what each agent was doing. Pure; `events` in position order, ending at the position asked for.
 */
export function rebuildSimulationState(events: readonly HistoryEvent[]): SimulationStateView | null {
  const first = events[0];
  if (!first || first.type !== SimulationStarted.type) return null;
  const state = fold({ evolve, initialState: initialSimulationState }, events);
  return state && present(state);
}
