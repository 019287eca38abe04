import type { Interval } from './interval';
import { normalQuantile } from './normal';
import { assertLevel } from './validate';

/**
 * Wilson score interval for a binomial proportion (Wilson 1927; method 3 of Newcombe 1998),
 * without continuity correction. n = 0 → [0, 1] (no information).
 */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`n must be a non-negative integer, got ${String(n)}`);
  if (!Number.isSafeInteger(successes) || successes < 0 || successes > n) throw new Error(`successes must be an integer between 0 and n (${n}), got ${String(successes)}`);
  assertLevel(level);
  if (n === 0) return { low: 0, high: 1, level };
  const z = normalQuantile((1 + level) / 2);
  const z2 = z * z;
  const p = successes / n;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes the bound is exactly 0 or 1; rounding would leave ±1e-17.
  const low = successes === 0 ? 0 : Math.max(0, centre - halfWidth);
  const high = successes === n ? 1 : Math.min(1, centre + halfWidth);
  return { low, high, level };
}
