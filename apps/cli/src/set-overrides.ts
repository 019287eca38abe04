import { UsageError } from './exit-codes';

/**
 * `--set models.default.sampling.temperature=0.9` options as one overrides object. A value is read
 * as JSON when it parses (numbers, booleans, null, arrays, objects), else as a string.
 */
export function overridesFromSets(sets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const set of sets) {
    const eq = set.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${set}: expected key.path=value`);
    const path = set.slice(0, eq).split('.');
    if (path.some((p) => !p || p === '__proto__' || p === 'constructor' || p === 'prototype')) throw new UsageError(`--set ${set}: bad key path`);
    const raw = set.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // A plain string, e.g. a model name.
    }
    let node = out;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) throw new UsageError(`--set ${set}: ${key} is already a value`);
      node = (node[key] ??= {}) as Record<string, unknown>;
    }
    node[path[path.length - 1]] = value;
  }
  return out;
}
