import { ChatExample } from '../../simulations/export-simulation/chat-example';

/**
 * The feature an agent's call worked on, from its agent id (`<persona>/<feature>.s<sprint>` for
 * its task, `.review` for its review, `<persona>/poker-s<sprint>-<feature>-r<round>` for a vote),
 * or null (the product manager's decomposition).
 */
export function featureOfAgent(agentId: string): string | null {
  const doing = agentId.slice(agentId.indexOf('/') + 1);
  if (agentId.indexOf('/') < 0) return null;
  const poker = /^poker-s\d+-(.+)-r\d+$/.exec(doing);
  if (poker) return poker[1];
  const task = /^(.+)\.s\d+(?:\.review)?$/.exec(doing);
  return task ? task[1] : null;
}

export type FeatureOutcome = 'done' | 'abandoned';

/** A call of a run: its example (with metadata) and how the feature it worked on ended in that run. */
export interface CallWithOutcome {
  example: ChatExample;
  outcome: FeatureOutcome | null;
}

/**
 * Preference pairs as TRL's DPOTrainer reads them (conversational: `prompt` the request's messages,
 * `chosen` and `rejected` the answers): the same prompt (request hash) answered differently in two
 * runs, where the feature was done in one and abandoned in the other. Keeps one done and one
 * abandoned answer per prompt until they pair (memory grows with distinct prompts, not with calls).
 */
export async function* preferencePairs(calls: AsyncIterable<CallWithOutcome>): AsyncGenerator<Record<string, unknown>> {
  const open = new Map<string, { done?: ChatExample; abandoned?: ChatExample; paired?: boolean }>();
  for await (const { example, outcome } of calls) {
    const hash = example.metadata?.requestHash as string | undefined;
    if (!hash || !outcome) continue;
    const slot = open.get(hash) ?? {};
    if (slot.paired || slot[outcome]) continue;
    slot[outcome] = example;
    open.set(hash, slot);
    if (!slot.done || !slot.abandoned) continue;
    const chosen = answer(slot.done);
    const rejected = answer(slot.abandoned);
    // One answer for both: nothing to prefer.
    if (JSON.stringify(chosen) === JSON.stringify(rejected)) {
      delete slot.abandoned;
      continue;
    }
    const prompt = slot.done.messages.slice(0, -1);
    open.set(hash, { paired: true });
    yield { prompt, chosen, rejected };
  }
}

/** The answer: the example's last message (the assistant's). */
const answer = (e: ChatExample) => [e.messages[e.messages.length - 1]];
