import { ManagedContainer } from './sandbox-types';

/**
 * Predicates for SandboxEngine.reap. Liveness of owners is the caller's knowledge
 * (instance leases in Postgres); the engine only matches labels.
 */

/** Containers whose owner is not one of the live engine instances (or has no owner label). */
export function ownerNotIn(liveOwners: Iterable<string>): (c: ManagedContainer) => boolean {
  const live = new Set(liveOwners);
  return (c) => c.owner === undefined || !live.has(c.owner);
}

/** Containers created more than `ageMs` ago (by the engine's creation time). */
export function olderThan(ageMs: number, now: () => number = Date.now): (c: ManagedContainer) => boolean {
  return (c) => now() - c.createdAt.getTime() > ageMs;
}

/** Containers that are not running any more (exited, dead, created but never started). */
export function notRunning(c: ManagedContainer): boolean {
  return c.state !== 'running';
}

export function anyOf(...ps: Array<(c: ManagedContainer) => boolean>): (c: ManagedContainer) => boolean {
  return (c) => ps.some((p) => p(c));
}
