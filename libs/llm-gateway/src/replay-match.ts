/** Whether a recorded call answers this request: pure, so a replay's verdict depends on the recording alone. */
import { diffValues } from '@swe-sim/kit';
import type { CallKey } from './call-key';
import { promptOf, type RecordedCall } from './recording';
import { deriveSeed } from './request';
import type { NormalizedRequest } from './types';

/** Why a recorded call does not answer this request (none: it does), as the paths that differ. */
export function replayMismatch(rec: RecordedCall, normalized: NormalizedRequest, hash: string, key: CallKey): string[] {
  if (!rec.origin) {
    if (rec.requestHash === hash) return [];
    const diffs = rec.request ? diffValues(rec.request, normalized) : [];
    return diffs.length ? diffs : [`request hash recorded ${rec.requestHash.slice(0, 12)} vs now ${hash.slice(0, 12)}`];
  }
  if (!rec.request) return ['the recorded request is not available to compare'];
  const recorded = rekeyed(rec.request, rec.key, key);
  return rec.origin.compare === 'prompt' ? diffValues(promptOf(recorded), promptOf(normalized)) : diffValues(recorded, normalized);
}

/**
 * Another simulation's recorded request as this call would have made it: the parts the gateway
 * derives from the call key (the `user` tag, a seed it derived) moved to this key.
 */
export function rekeyed(body: NormalizedRequest, from: CallKey, to: CallKey): NormalizedRequest {
  const sampling = { ...body.sampling };
  if (sampling.seed === deriveSeed(from)) sampling.seed = deriveSeed(to);
  return { ...body, sampling, user: body.user.replace(`sim:${from.simulationId} `, `sim:${to.simulationId} `) };
}
