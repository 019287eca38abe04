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

/** Containers that are not running any more (exited, dead, created but never started). */
export function notRunning(c: ManagedContainer): boolean {
  return c.state !== 'running';
}
