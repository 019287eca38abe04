import { SweSimError } from '@swe-sim/contracts';

/** The simulation stream's own lifecycle: started, then one end (completed, failed or cancelled). */
export type LifecycleEvent =
  | { type: 'SimulationStarted'; data: unknown }
  | { type: 'SimulationCompleted'; data: unknown }
  | { type: 'SimulationFailed'; data: unknown }
  | { type: 'SimulationCancelled'; data: unknown };

export type LifecycleCommand = { type: 'CancelSimulation'; simulationId: string; reason: string };
export type LifecycleState = { status: 'none' | 'running' | 'ended'; end?: string };

export const initialLifecycleState: LifecycleState = { status: 'none' };

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

export function evolveLifecycle(state: LifecycleState, event: LifecycleEvent): LifecycleState {
  switch (event.type) {
    case 'SimulationStarted':
      return { status: 'running' };
    case 'SimulationCompleted':
    case 'SimulationFailed':
    case 'SimulationCancelled':
      return { status: 'ended', end: event.type };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export function decideLifecycle(command: LifecycleCommand, state: LifecycleState): LifecycleEvent[] {
  switch (command.type) {
    case 'CancelSimulation':
      if (state.status === 'none') throw new SimulationNotFoundError(command.simulationId);
      if (state.status === 'ended') throw new SimulationEndedError(command.simulationId, state.end!);
      return [{ type: 'SimulationCancelled', data: { simulationId: command.simulationId, reason: command.reason } }];
    default: {
      const unhandled: never = command.type;
      throw new Error(`unhandled command ${unhandled}`);
    }
  }
}

export const lifecycleDecider = { decide: decideLifecycle, evolve: evolveLifecycle, initialState: initialLifecycleState };
