import { z } from 'zod';
import { BacklogItem, backlogItemSchema } from '@swe-sim/contracts';

/** The product manager's answer: the features of the backlog, each a backlog item as the contracts define it. */
export const backlogAnswerSchema = z.object({ features: z.array(backlogItemSchema).min(1).max(50) }).strict();
export type BacklogAnswer = z.infer<typeof backlogAnswerSchema>;

/** What is sent to the LLM server (vLLM's structured output); the zod schema and the rules below decide. */
export const BACKLOG_JSON_SCHEMA = {
  type: 'object',
  properties: {
    features: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        properties: {
          featureId: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,63}$' },
          title: { type: 'string', minLength: 1, maxLength: 200 },
          description: { type: 'string', maxLength: 10000 },
          acceptanceCriteria: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 1000 }, maxItems: 50 },
          tests: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 500 }, minItems: 1, maxItems: 100 },
          skills: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 50 }, maxItems: 20 },
        },
        required: ['featureId', 'title', 'description', 'acceptanceCriteria', 'tests', 'skills'],
        additionalProperties: false,
      },
    },
  },
  required: ['features'],
  additionalProperties: false,
};

/**
 * The rules a decomposed backlog keeps beyond its shape: feature ids are unique, every feature's
 * tests are acceptance test files of the suite, and every acceptance test file is covered by
 * exactly one feature (so "all features done" means "the whole suite passes"). Returns every
 * broken rule in one message (it is what the repair prompt shows the model), or null.
 */
export function checkDecomposedBacklog(features: readonly Pick<BacklogItem, 'featureId' | 'tests'>[], acceptancePaths: readonly string[]): string | null {
  const problems: string[] = [];
  const suite = new Set(acceptancePaths);
  const seenIds = new Set<string>();
  const owner = new Map<string, string>();
  for (const f of features) {
    if (seenIds.has(f.featureId)) problems.push(`featureId "${f.featureId}" is used by more than one feature`);
    seenIds.add(f.featureId);
    for (const t of new Set(f.tests)) {
      if (!suite.has(t)) problems.push(`feature "${f.featureId}" names test "${t}", which is not an acceptance test file (${[...suite].join(', ')})`);
      else if (owner.has(t)) problems.push(`test file "${t}" is claimed by both "${owner.get(t)}" and "${f.featureId}" (each file belongs to exactly one feature)`);
      else owner.set(t, f.featureId);
    }
  }
  const uncovered = acceptancePaths.filter((p) => !owner.has(p));
  if (uncovered.length) problems.push(`no feature covers the acceptance test file(s) ${uncovered.map((p) => `"${p}"`).join(', ')}`);
  return problems.length ? problems.join('; ') : null;
}
