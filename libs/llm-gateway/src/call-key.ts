/**
 * The identity of one logical LLM call. It has a file of its own because errors, types and recording
 * all name it, and none of them may import another in a circle.
 */

/** Identity of one logical LLM call: what recording and replay are keyed by. */
export interface CallKey {
  simulationId: string;
  agentId: string;
  /** Per (simulation, agent) ordinal of the call; deterministic agent code gives the same one on replay. */
  seq: number;
  /**
   * The call asked again after an infrastructure failure of attempt `attempt - 1` (absent: the first
   * time). A recorded failure stays the answer of its own attempt; the retry is a call of its own,
   * recorded under its own ids, with the very same request (the seed comes from the key without it).
   */
  attempt?: number;
}

export function callKeyString(k: CallKey): string {
  return `${k.simulationId}/${k.agentId}/${k.seq}${k.attempt ? `#${k.attempt}` : ''}`;
}

/** The key of the call whatever its attempt: what the seed and the `user` tag derive from (a retry sends the same request). */
export function firstAttemptOf(k: CallKey): CallKey {
  return { simulationId: k.simulationId, agentId: k.agentId, seq: k.seq };
}
