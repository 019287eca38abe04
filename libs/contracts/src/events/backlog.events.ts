import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { slugIdSchema } from './common';
import { acceptanceSuiteSchema, backlogItemSchema } from './project.events';
import { stackSchema } from './common';

/**
 * A backlog decomposed from the project description by the product-manager agent (agent-execution).
 * project-management asks once per project (BacklogDecompositionRequested, a request with an id
 * derived from the project); the outcome is the one event of stream backlog-<projectId>:
 * BacklogDecomposed, or BacklogDecompositionFailed (never a crash, never a stuck project).
 */
export const backlogStream = (projectId: string) => `backlog-${projectId}`;

const uniqueFeatureIds = (b: { featureId: string }[]) => new Set(b.map((i) => i.featureId)).size === b.length;

/** project-management → agent-execution: everything the product manager reads (files by hash). */
export const BacklogDecompositionRequested = defineEvent({
  type: 'BacklogDecompositionRequested',
  version: 1,
  schema: z
    .object({
      projectId: z.string().uuid(),
      name: z.string().min(1).max(200),
      description: z.string().max(20_000),
      goals: z.array(z.string()).max(100),
      stack: stackSchema,
      acceptance: acceptanceSuiteSchema,
      /** The model the product manager uses (project-management's LLM_MODEL), recorded with the request. */
      model: z.string().min(1).max(200),
    })
    .strict(),
});

/** The LLM call that produced an outcome: stream llm-<projectId>-<agentId>, call `seq`. */
const llmCallRefSchema = z.object({ agentId: z.string().min(1), seq: z.number().int().nonnegative() }).strict();

export const BacklogDecomposed = defineEvent({
  type: 'BacklogDecomposed',
  version: 1,
  schema: z
    .object({
      projectId: z.string().uuid(),
      backlog: z.array(backlogItemSchema).min(1).max(200).refine(uniqueFeatureIds, 'featureIds must be unique'),
      llm: llmCallRefSchema,
    })
    .strict(),
  streamOf: (d) => backlogStream(d.projectId),
});

export const BacklogDecompositionFailed = defineEvent({
  type: 'BacklogDecompositionFailed',
  version: 1,
  schema: z
    .object({
      projectId: z.string().uuid(),
      /** A stable code: the gateway's (LLM_OUTPUT_INVALID, LLM_UNAVAILABLE, …) or BACKLOG_INPUT_MISSING. */
      code: z.string().min(1).max(100),
      reason: z.string().max(8_000),
      /** The LLM call that failed, when one was made. */
      llm: llmCallRefSchema.nullable().default(null),
    })
    .strict(),
  streamOf: (d) => backlogStream(d.projectId),
});

/** The ids the product manager may give features (the same as every feature id). */
export const featureSlugSchema = slugIdSchema;

export const BACKLOG_EVENTS = [BacklogDecompositionRequested, BacklogDecomposed, BacklogDecompositionFailed];
