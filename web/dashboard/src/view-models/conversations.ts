import type { ChatExample } from '@swe-sim/api-client';

/** Each agent's LLM calls, in the order they completed: who asked, what, and the answer. */
export interface Conversation {
  agentId: string;
  role: string | null;
  calls: { seq: number; messages: ChatExample['messages']; answer: ChatExample['messages'][number]; tokens: number }[];
}

export function conversationsOf(examples: readonly ChatExample[]): Conversation[] {
  const byAgent = new Map<string, Conversation>();
  for (const ex of examples) {
    const agentId = String(ex.metadata?.agentId ?? 'unknown');
    const c = byAgent.get(agentId) ?? { agentId, role: (ex.metadata?.role as string | null) ?? null, calls: [] };
    byAgent.set(agentId, c);
    const usage = ex.metadata?.usage as { promptTokens?: number; completionTokens?: number } | undefined;
    c.calls.push({
      seq: Number(ex.metadata?.seq ?? c.calls.length),
      messages: ex.messages.slice(0, -1),
      answer: ex.messages[ex.messages.length - 1],
      tokens: (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
    });
  }
  return [...byAgent.values()].sort((a, b) => a.agentId.localeCompare(b.agentId));
}
