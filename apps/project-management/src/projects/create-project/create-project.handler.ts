import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { ProjectCreated, projectStream } from '@swe-sim/contracts';
import { EventStore, handleCommand } from '@swe-sim/event-store';
import { decideProject, evolveProject, initialProjectState } from '../project.decider';

export const createProjectBodySchema = ProjectCreated.schema.omit({ projectId: true }).extend({
  goals: ProjectCreated.schema.shape.goals.default([]),
  description: ProjectCreated.schema.shape.description.default(''),
});
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

@Injectable()
export class CreateProjectHandler {
  constructor(private readonly store: EventStore) {}

  async execute(body: CreateProjectBody, projectId: string = randomUUID()) {
    const result = await handleCommand(
      this.store,
      projectStream(projectId),
      { decide: decideProject, evolve: evolveProject, initialState: initialProjectState },
      { type: 'CreateProject', data: { projectId, ...body } },
      { metadata: { actor: 'api' } },
    );
    return { projectId, position: result.events[0].globalPosition };
  }
}
