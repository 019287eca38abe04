import { createHash } from 'node:crypto';

/** Fixed namespace of swe-sim's derived ids (keeps ids recorded so far stable). */
const NAMESPACE = 'b9f6f7e2-6a4e-5d55-9c1f-3f2d1c4e8a10';

/**
 * A UUIDv5-style id: sha1(namespace bytes + name), version 5, RFC 4122 variant. An event or
 * request whose id is derived from what caused it is written once however often a handler re-runs.
 * It lives with the contracts because some event ids are part of the contract (a reader finds an
 * LLM call's events by them); the event store re-exports it.
 */
export function uuidV5(name: string, namespace = NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
