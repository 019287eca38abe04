import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { backlogItemSchema, projectFilePathSchema, projectStream, stackSchema } from '@swe-sim/contracts';
import { EventStore, handleCommand } from '@swe-sim/event-store';
import { decideProject, evolveProject, initialProjectState } from '../project.decider';

const fileInputSchema = z.object({ path: projectFilePathSchema, content: z.string().max(512 * 1024) }).strict();

/** What a user sends: files with their content (stored as blobs; the event keeps hashes). */
export const createProjectBodySchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(20_000).default(''),
    goals: z.array(z.string().min(1).max(2_000)).max(100).default([]),
    stack: stackSchema,
    acceptance: z.object({ command: z.string().min(1).max(1000), files: z.array(fileInputSchema).min(1).max(200) }).strict(),
    scaffold: z.array(fileInputSchema).max(500).default([]),
    /** Left out: a product-manager agent decomposes the backlog from the description, goals and acceptance tests. */
    backlog: z.array(backlogItemSchema).min(1).max(200).optional(),
  })
  .strict()
  .refine((p) => !p.backlog || new Set(p.backlog.map((b) => b.featureId)).size === p.backlog.length, {
    message: 'featureIds must be unique',
    path: ['backlog'],
  });
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

@Injectable()
export class CreateProjectHandler {
  constructor(private readonly store: EventStore) {}

  async execute(body: CreateProjectBody, projectId: string = randomUUID()) {
    // Blobs first: content-addressed, so a failed append leaves at most unreferenced bytes.
    const toRefs = (files: { path: string; content: string }[]) =>
      Promise.all(
        files.map(async (f) => ({ path: f.path, hash: await this.store.putBlob(f.content), size: Buffer.byteLength(f.content) })),
      );
    const data = {
      projectId,
      name: body.name,
      description: body.description,
      goals: body.goals,
      stack: body.stack,
      acceptance: { command: body.acceptance.command, files: await toRefs(body.acceptance.files) },
      scaffold: await toRefs(body.scaffold),
      backlogSource: body.backlog ? ('user' as const) : ('decomposition' as const),
      backlog: body.backlog ?? [],
    };
    const result = await handleCommand(
      this.store,
      projectStream(projectId),
      { decide: decideProject, evolve: evolveProject, initialState: initialProjectState },
      { type: 'CreateProject', data },
      { metadata: { actor: 'api' } },
    );
    return { projectId, backlogStatus: body.backlog ? 'ready' : 'pending', position: result.events[0].globalPosition };
  }
}
