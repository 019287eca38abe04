import { BacklogItem, EventData, EstimatesDiverged, Persona, STORY_POINTS } from '@swe-sim/contracts';
import { ChatMessage } from '@swe-sim/llm-gateway';
import { z } from 'zod';
import { personaBrief } from '../context/persona-llm';

export const estimateAnswerSchema = z.object({
  points: z.union(STORY_POINTS.map((p) => z.literal(p)) as unknown as [z.ZodLiteral<1>, z.ZodLiteral<2>]),
  rationale: z.string().min(1).max(2000),
});

export const ESTIMATE_JSON_SCHEMA = {
  type: 'object',
  properties: {
    points: { type: 'integer', enum: [...STORY_POINTS] },
    rationale: { type: 'string', maxLength: 2000 },
  },
  required: ['points', 'rationale'],
  additionalProperties: false,
};

/** One voter's prompt. Stable parts first (the persona, the rules), the feature and the discussion last. */
export function estimateMessages(
  persona: Persona,
  project: { name: string; stack: string },
  feature: BacklogItem,
  round: number,
  diverged: EventData<typeof EstimatesDiverged> | null,
  names: Record<string, string>,
): ChatMessage[] {
  const criteria = feature.acceptanceCriteria.map((c) => `- ${c}`).join('\n');
  const discussion =
    diverged && round > 1
      ? `\n\nIn round ${diverged.round} the estimates ranged from ${diverged.min} to ${diverged.max}. ` +
        diverged.outliers.map((o) => `${names[o.voter] ?? o.voter} voted ${o.points}: "${o.rationale}"`).join(' ') +
        `\nThis is round ${round}: vote again.`
      : '';
  return [
    {
      role: 'system',
      content:
        `${personaBrief(persona)}\nYou are estimating in planning poker for the ${project.stack} project "${project.name}". ` +
        `Answer only with JSON: {"points": one of ${STORY_POINTS.join(', ')}, "rationale": "one or two sentences"}.`,
    },
    {
      role: 'user',
      content: `Estimate feature ${feature.featureId}: ${feature.title}\n${feature.description}\nAcceptance criteria:\n${criteria || '- (none given)'}${discussion}`,
    },
  ];
}
