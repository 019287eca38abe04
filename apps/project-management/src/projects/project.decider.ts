import {
  BacklogDecomposed,
  BacklogDecompositionFailed,
  BacklogItem,
  EventData,
  ProjectCreated,
  ProjectStaffingAssessed,
  SimulationConfig,
  SimulationStarted,
  SweSimError,
} from '@swe-sim/contracts';

/**
 * A project's history: its own stream (project-<id>: ProjectCreated) followed by its backlog
 * stream (backlog-<id>: BacklogDecomposed | BacklogDecompositionFailed) when the backlog is left to
 * the product-manager agent. Folding both gives the backlog's status.
 */
export type ProjectEvent =
  | { type: typeof ProjectCreated.type; data: EventData<typeof ProjectCreated> }
  | { type: typeof ProjectStaffingAssessed.type; data: EventData<typeof ProjectStaffingAssessed> }
  | { type: typeof BacklogDecomposed.type; data: EventData<typeof BacklogDecomposed> }
  | { type: typeof BacklogDecompositionFailed.type; data: EventData<typeof BacklogDecompositionFailed> }
  /** Decided on the project's state, but it opens the simulation's own stream (no change to the project). */
  | { type: typeof SimulationStarted.type; data: EventData<typeof SimulationStarted> };

export type ProjectCommand =
  | { type: 'CreateProject'; data: EventData<typeof ProjectCreated> }
  | { type: 'StartSimulation'; data: { simulationId: string; config: SimulationConfig } };

export type BacklogState =
  | { status: 'ready'; items: BacklogItem[] }
  | { status: 'pending' }
  | { status: 'failed'; code: string; reason: string };

export type ProjectState =
  | { status: 'none' }
  | { status: 'created'; projectId: string; name: string; project: EventData<typeof ProjectCreated>; backlog: BacklogState };

export const initialProjectState: ProjectState = { status: 'none' };

export class ProjectAlreadyExistsError extends SweSimError {
  constructor(projectId: string) {
    super('PROJECT_ALREADY_EXISTS', `Project ${projectId} already exists`, { projectId });
  }
}

export class ProjectNotFoundError extends SweSimError {
  constructor() {
    super('PROJECT_NOT_FOUND', 'Project not found');
  }
}

/** 409: a simulation needs a backlog; this one is still being decomposed, or its decomposition failed. */
export class ProjectBacklogNotReadyError extends SweSimError {
  constructor(projectId: string, backlog: Exclude<BacklogState, { status: 'ready' }>) {
    super(
      backlog.status === 'pending' ? 'PROJECT_BACKLOG_PENDING' : 'PROJECT_BACKLOG_FAILED',
      backlog.status === 'pending'
        ? `Project ${projectId}'s backlog is still being decomposed by the product-manager agent; try again shortly`
        : `Project ${projectId} has no backlog: its decomposition failed (${backlog.code}): ${backlog.reason}`,
      { projectId, backlogStatus: backlog.status },
    );
  }
}

export function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case 'CreateProject':
      if (state.status !== 'none') throw new ProjectAlreadyExistsError(command.data.projectId);
      return [{ type: ProjectCreated.type, data: command.data }];
    case 'StartSimulation': {
      if (state.status !== 'created') throw new ProjectNotFoundError();
      if (state.backlog.status !== 'ready') throw new ProjectBacklogNotReadyError(state.projectId, state.backlog);
      const p = state.project;
      return [
        {
          type: SimulationStarted.type,
          data: {
            simulationId: command.data.simulationId,
            project: {
              projectId: p.projectId,
              name: p.name,
              description: p.description,
              stack: p.stack,
              acceptance: p.acceptance,
              scaffold: p.scaffold,
              backlog: state.backlog.items,
            },
            config: command.data.config,
          },
        },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${(unhandled as { type: string }).type}`);
    }
  }
}

export function evolveProject(state: ProjectState, event: ProjectEvent): ProjectState {
  switch (event.type) {
    case 'ProjectCreated': {
      const backlog: BacklogState =
        event.data.backlogSource === 'decomposition' ? { status: 'pending' } : { status: 'ready', items: event.data.backlog };
      return { status: 'created', projectId: event.data.projectId, name: event.data.name, project: event.data, backlog };
    }
    case 'BacklogDecomposed':
      // Only a pending backlog takes the product manager's answer (the first outcome counts).
      if (state.status !== 'created' || state.backlog.status !== 'pending') return state;
      return { ...state, backlog: { status: 'ready', items: event.data.backlog } };
    case 'BacklogDecompositionFailed':
      if (state.status !== 'created' || state.backlog.status !== 'pending') return state;
      return { ...state, backlog: { status: 'failed', code: event.data.code, reason: event.data.reason } };
    case 'ProjectStaffingAssessed':
    case 'SimulationStarted':
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
