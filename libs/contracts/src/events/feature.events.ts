import { z } from 'zod';
import { defineEvent } from '../event-definition';
import { slugIdSchema } from './common';

/**
 * How a committed feature ended in a sprint (agent-execution). Stream feature-<simulationId>-<featureId>.
 * Done means its acceptance tests passed on main in a fresh sandbox; abandoned means the task's
 * budget ran out or it failed, and the feature carries over.
 */
export const featureStream = (simulationId: string, featureId: string) => `feature-${simulationId}-${featureId}`;

const effortSchema = z
  .object({
    turns: z.number().int().nonnegative(),
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
  })
  .strict();

/** Which feature, in which sprint and task, and what it took. */
const outcomeFields = {
  simulationId: z.string().uuid(),
  sprint: z.number().int().positive(),
  teamId: slugIdSchema,
  featureId: slugIdSchema,
  taskId: z.string().min(1),
  effort: effortSchema,
};

export const FeatureDone = defineEvent({
  type: 'FeatureDone',
  version: 1,
  schema: z.object({ ...outcomeFields, acceptanceTestsPassed: z.number().int().nonnegative() }).strict(),
  streamOf: (d) => featureStream(d.simulationId, d.featureId),
});

export const FeatureAbandoned = defineEvent({
  type: 'FeatureAbandoned',
  version: 1,
  schema: z
    .object({
      ...outcomeFields,
      code: z.enum(['BUDGET_EXHAUSTED', 'TESTS_FAILING', 'REVIEW_REJECTED', 'AGENT_FAILED', 'SANDBOX_FAILED', 'LLM_FAILED', 'CANCELLED']),
      reason: z.string().max(4000),
    })
    .strict(),
  streamOf: (d) => featureStream(d.simulationId, d.featureId),
});

export const FEATURE_EVENTS = [FeatureDone, FeatureAbandoned];
