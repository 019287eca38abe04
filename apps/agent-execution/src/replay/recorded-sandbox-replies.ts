import { RpcReplied, rpcStream } from '@swe-sim/contracts';
import { EventStore, StoredEvent } from '@swe-sim/event-store';
import { diffValues } from '@swe-sim/kit';

/** The recorded reply, or why there is none usable: `missing` when no such request was made at all. */
export type RecordedReply = { reply: StoredEvent } | { divergence: string; missing: boolean };

/**
 * The reply the original simulation got to a sandbox request (the transport keeps each request
 * and its reply in stream rpc-<id>): found when the original made the same request under that id —
 * the same type and the same data but for the names each simulation gives its own (OWN_NAMES).
 */
/** Fields each simulation names for itself: its sandboxes, and the task that owns one (a task id holds its simulation's id). */
const OWN_NAMES: ReadonlySet<string> = new Set(['sandboxId', 'ownerTaskId']);

export async function recordedSandboxReply(store: EventStore, originalRequestId: string, type: string, data: Record<string, unknown>): Promise<RecordedReply> {
  const [request, reply] = await store.readStream(rpcStream(originalRequestId));
  if (!request) return { divergence: `the original made no ${type} request for this step (request ${originalRequestId})`, missing: true };
  if (request.type !== type) return { divergence: `the original asked ${request.type} for this step, not ${type} (request ${originalRequestId})`, missing: false };
  const recorded = request.data as Record<string, unknown>;
  const compared = Object.keys(data).filter((k) => !OWN_NAMES.has(k));
  const diffs = diffValues(pick(recorded, compared), pick(data, compared));
  if (diffs.length) return { divergence: `the original's ${type} for this step differs: ${diffs.join('; ')}`, missing: false };
  if (!reply || reply.type !== RpcReplied.type) return { divergence: `the original's ${type} for this step has no reply (request ${originalRequestId})`, missing: false };
  return { reply };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
