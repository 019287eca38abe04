import { EventData, ProjectCreated, ProjectStaffingAssessed, SweSimError } from '@swe-sim/contracts';

export type ProjectEvent =
  | { type: typeof ProjectCreated.type; data: EventData<typeof ProjectCreated> }
  | { type: typeof ProjectStaffingAssessed.type; data: EventData<typeof ProjectStaffingAssessed> };

export type ProjectCommand = { type: 'CreateProject'; data: EventData<typeof ProjectCreated> };

export type ProjectState = { status: 'none' } | { status: 'created'; projectId: string; name: string };

export const initialProjectState: ProjectState = { status: 'none' };

export class ProjectAlreadyExistsError extends SweSimError {
  constructor(projectId: string) {
    super('PROJECT_ALREADY_EXISTS', `Project ${projectId} already exists`, { projectId });
  }
}

export function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case 'CreateProject':
      if (state.status !== 'none') throw new ProjectAlreadyExistsError(command.data.projectId);
      return [{ type: ProjectCreated.type, data: command.data }];
    default: {
      const unhandled: never = command.type;
      throw new Error(`unhandled command ${unhandled}`);
    }
  }
}

export function evolveProject(state: ProjectState, event: ProjectEvent): ProjectState {
  switch (event.type) {
    case 'ProjectCreated':
      return { status: 'created', projectId: event.data.projectId, name: event.data.name };
    case 'ProjectStaffingAssessed':
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}
