import { EventData, SimulationQueued, SimulationStarted, SweSimError } from '@swe-sim/contracts';

/**
 * A simulation's own lifecycle, folded from its queue stream and its simulation stream in position
 * order: queued, started, failed (for good, or resumable), resumed, cancelled, completed. Any other
 * event of those streams (a replay's verdict) leaves it as it is.
 */
export type LifecycleEvent =
  | { type: 'SimulationQueued'; data: EventData<typeof SimulationQueued> }
  | { type: 'SimulationStarted'; data: EventData<typeof SimulationStarted> }
  | { type: 'SimulationCompleted'; data: unknown }
  | { type: 'SimulationFailed'; data: { resumable?: boolean } }
  | { type: 'SimulationCancelled'; data: unknown }
  | { type: 'SimulationResumed'; data: { resumption: number } }
  | { type: string; data: unknown };

export type LifecycleCommand =
  | { type: 'CancelSimulation'; simulationId: string; reason: string }
  | { type: 'ResumeSimulation'; simulationId: string; reason: string }
  /** A slot is free for it (the admission's decision): record the start or resume it waited for. */
  | { type: 'AdmitSimulation'; simulationId: string };

export interface LifecycleState {
  /** suspended: failed resumable. */
  status: 'none' | 'queued' | 'running' | 'suspended' | 'ended';
  end?: string;
  projectId?: string;
  /** What a queued simulation records when it gets a slot. */
  start?: EventData<typeof SimulationStarted>;
  /** SimulationResumed so far. */
  resumptions: number;
  /** A resume asked for and waiting for a slot. */
  resumeQueued?: { resumption: number; reason: string } | null;
}

export const initialLifecycleState: LifecycleState = { status: 'none', resumptions: 0 };

export class SimulationNotFoundError extends SweSimError {
  constructor(id: string) {
    super('SIMULATION_NOT_FOUND', `Simulation ${id} not found`, { simulationId: id });
  }
}

export class SimulationEndedError extends SweSimError {
  constructor(id: string, end: string) {
    super('SIMULATION_ENDED', `Simulation ${id} has already ended (${end})`, { simulationId: id, end });
  }
}

export class SimulationNotResumableError extends SweSimError {
  constructor(id: string, state: LifecycleState) {
    const now = state.status === 'ended' ? `has ended (${state.end})` : state.status === 'queued' ? 'has not started yet' : 'is running';
    super('SIMULATION_NOT_RESUMABLE', `Simulation ${id} ${now}: only a simulation that failed resumable can be resumed`, { simulationId: id, status: state.status });
  }
}

export class SimulationResumePendingError extends SweSimError {
  constructor(id: string, resumption: number) {
    super('SIMULATION_RESUME_PENDING', `Simulation ${id} is already being resumed (resumption ${resumption}, waiting for a slot)`, { simulationId: id, resumption });
  }
}

export function evolveLifecycle(state: LifecycleState, event: LifecycleEvent): LifecycleState {
  switch (event.type) {
    case 'SimulationQueued': {
      const d = event.data as EventData<typeof SimulationQueued>;
      if (d.start) return state.status === 'none' ? { ...state, status: 'queued', projectId: d.projectId, start: d.start } : state;
      return { ...state, projectId: d.projectId, resumeQueued: d.resume ?? null };
    }
    case 'SimulationStarted': {
      const d = event.data as EventData<typeof SimulationStarted>;
      return { ...state, status: 'running', projectId: d.project?.projectId ?? state.projectId, start: undefined };
    }
    case 'SimulationResumed':
      return { ...state, status: 'running', resumptions: (event.data as { resumption: number }).resumption, resumeQueued: null };
    case 'SimulationFailed':
      if ((event.data as { resumable?: boolean }).resumable) return { ...state, status: 'suspended' };
      return { ...state, status: 'ended', end: event.type, resumeQueued: null };
    case 'SimulationCompleted':
    case 'SimulationCancelled':
      return { ...state, status: 'ended', end: event.type, start: undefined, resumeQueued: null };
    default:
      return state;
  }
}

/** What a command records: SimulationQueued goes to the queue stream, the rest to the simulation stream. */
export function decideLifecycle(command: LifecycleCommand, state: LifecycleState): LifecycleEvent[] {
  const simulationId = command.simulationId;
  switch (command.type) {
    case 'CancelSimulation':
      if (state.status === 'none') throw new SimulationNotFoundError(simulationId);
      if (state.status === 'ended') throw new SimulationEndedError(simulationId, state.end!);
      // Queued, running or failed resumable: a user may give up on it rather than wait or resume.
      return [{ type: 'SimulationCancelled', data: { simulationId, reason: command.reason } }];
    case 'ResumeSimulation': {
      if (state.status === 'none') throw new SimulationNotFoundError(simulationId);
      if (state.status !== 'suspended') throw new SimulationNotResumableError(simulationId, state);
      if (state.resumeQueued) throw new SimulationResumePendingError(simulationId, state.resumeQueued.resumption);
      // The resume takes a slot like a start: it is queued, and recorded (SimulationResumed) when it has one.
      const resume = { resumption: state.resumptions + 1, reason: command.reason };
      return [{ type: 'SimulationQueued', data: { simulationId, projectId: state.projectId!, resume } }];
    }
    case 'AdmitSimulation':
      if (state.status === 'queued' && state.start) return [{ type: 'SimulationStarted', data: state.start }];
      if (state.status === 'suspended' && state.resumeQueued) return [{ type: 'SimulationResumed', data: { simulationId, ...state.resumeQueued } }];
      return []; // cancelled (or failed for good) while it waited: nothing to start
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${(unhandled as { type: string }).type}`);
    }
  }
}

export const lifecycleDecider = { decide: decideLifecycle, evolve: evolveLifecycle, initialState: initialLifecycleState };
