import { backlogStream, projectStream } from '@swe-sim/contracts';
import { EventStore, Queryable, fold } from '@swe-sim/event-store';
import { ProjectEvent, ProjectState, evolveProject, initialProjectState } from './project.decider';

/** A project's state from its history: its stream, then its backlog's (when a product manager decomposes it). */
export async function loadProjectState(store: EventStore, projectId: string, db?: Queryable): Promise<ProjectState> {
  const history = [...(await store.readStream(projectStream(projectId), {}, db)), ...(await store.readStream(backlogStream(projectId), {}, db))];
  return fold({ evolve: evolveProject, initialState: initialProjectState }, history as unknown as ProjectEvent[]);
}
