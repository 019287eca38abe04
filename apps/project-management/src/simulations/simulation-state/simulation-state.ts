import { SimulationStarted } from '@swe-sim/contracts';
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
 * The simulation as it was after the given events: a fold — the simulation process (teams,
 * sprint, estimates, commitments, outcomes, metrics) plus each agent task's progress and what
 * each agent was doing. Pure; `events` in position order, ending at the position asked for.
 */
export function rebuildSimulationState(events: readonly HistoryEvent[]) {
  const first = events[0];
  if (!first || first.type !== SimulationStarted.type) return null;
  let process: SimulationProcess = startProcess(first.data, first.recordedAt);
  const tasks = new Map<string, TaskView>();
  const inputs = new Set<string>(PROCESS_INPUT_TYPES);
  for (const e of events.slice(1)) {
    if (inputs.has(e.type)) process = processInput(process, { type: e.type, data: e.data } as ProcessInput, e.recordedAt).state;
    const task = e.data?.taskId ? tasks.get(e.data.taskId) : undefined;
    switch (e.type) {
      case 'AgentTaskStarted':
        tasks.set(e.data.taskId, {
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
        });
        break;
      case 'AgentTurnTaken':
        if (task) task.turns = e.data.turn;
        break;
      case 'PairRolesSwapped':
        if (task) Object.assign(task, { driver: e.data.driver, navigator: e.data.navigator });
        break;
      case 'ReviewRequested':
        if (task) task.status = 'reviewing';
        break;
      case 'ReviewCommented':
      case 'MergeConflicted':
        if (task) task.status = 'running';
        break;
      case 'ReviewApproved':
        if (task) task.status = 'integrating';
        break;
      case 'AcceptanceTestsRun':
        if (task && !e.data.passed) task.status = 'running';
        break;
      case 'AgentTaskEnded':
        if (task) Object.assign(task, { status: e.data.outcome, code: e.data.code });
        break;
    }
  }
  const last = events[events.length - 1];
  const agents: Record<string, { working: { taskId: string; featureId: string; as: 'driver' | 'navigator' }[] }> = {};
  for (const id of Object.keys(process.roles)) agents[id] = { working: [] };
  for (const t of tasks.values()) {
    if (t.status === 'done' || t.status === 'abandoned') continue;
    agents[t.driver]?.working.push({ taskId: t.taskId, featureId: t.featureId, as: 'driver' });
    if (t.navigator) agents[t.navigator]?.working.push({ taskId: t.taskId, featureId: t.featureId, as: 'navigator' });
  }
  return {
    simulationId: process.simulationId,
    projectId: process.projectId,
    position: last.globalPosition,
    at: last.recordedAt,
    status: process.status,
    backlog: (first.data.project.backlog as { featureId: string; title: string }[]).map((b) => ({
      featureId: b.featureId,
      title: b.title,
      estimate: process.points[b.featureId] ?? process.estimates[b.featureId] ?? null,
      done: process.done.includes(b.featureId),
    })),
    teams: process.teams,
    sprint: { number: process.sprint, candidates: process.candidates, estimates: process.estimates, committed: process.committed, outcomes: process.outcomes },
    tasks: [...tasks.values()],
    agents,
    metrics: metrics(process, last.recordedAt),
  };
}
