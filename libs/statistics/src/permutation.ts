import { mulberry32 } from '@swe-sim/kit';
import { assertFiniteValues, assertPositiveInteger, assertSameLength, assertSeed } from './validate';

export interface PermutationOptions {
  /** Up to this many non-zero differences the p-value is exact (all 2^n sign patterns). Default 30. */
  exactUpTo?: number;
  /** Random sign patterns drawn above exactUpTo. Default 10 000. */
  resamples?: number;
  /** Seed of the random sign patterns (mulberry32). Default 1. */
  seed?: number;
}

export interface PermutationResult {
  pValue: number;
  method: 'exact' | 'monte-carlo';
}

/**
 * Paired sign-flip permutation test of the mean difference (Fisher 1935, §21), two-sided: under
 * the null each difference x[i] − y[i] is as likely to have either sign, and the p-value is the
 * share of the 2^n sign patterns whose |Σ ±d| reaches the observed |Σ d|. Zero differences cannot
 * change sign and are dropped.
 */
export function permutationTestPaired(x: number[], y: number[], opts?: PermutationOptions): PermutationResult {
  assertFiniteValues(x, 'x');
  assertFiniteValues(y, 'y');
  assertSameLength(x, y, 'permutationTestPaired');
  const exactUpTo = opts?.exactUpTo ?? 30;
  const resamples = opts?.resamples ?? 10_000;
  const seed = opts?.seed ?? 1;
  if (!Number.isSafeInteger(exactUpTo) || exactUpTo < 0 || exactUpTo > 40) throw new Error(`exactUpTo must be an integer between 0 and 40, got ${String(exactUpTo)}`);
  assertPositiveInteger(resamples, 'resamples');
  assertSeed(seed);

  const magnitudes = x.map((v, i) => Math.abs(v - y[i])).filter((d) => d !== 0);
  const observed = Math.abs(x.reduce((sum, v, i) => sum + (v - y[i]), 0));
  // Sums of the same numbers in another order differ by rounding; a pattern within this of the
  // observed total counts as reaching it (exact for integer data, which sums without rounding).
  const tolerance = 1e-9 * magnitudes.reduce((s, d) => s + d, 0);
  const threshold = observed - tolerance;
  if (threshold <= 0) return { pValue: 1, method: 'exact' }; // every pattern is as extreme (e.g. all differences zero)
  if (magnitudes.length <= exactUpTo) return { pValue: exactSignFlipP(magnitudes, threshold), method: 'exact' };
  return { pValue: monteCarloSignFlipP(magnitudes, threshold, resamples, mulberry32(seed)), method: 'monte-carlo' };
}

/** Every signed sum ±d[0] ± … ± d[k−1], built by doubling (2^k values). */
function signedSums(magnitudes: readonly number[]): Float64Array {
  let sums = new Float64Array([0]);
  for (const d of magnitudes) {
    const next = new Float64Array(sums.length * 2);
    for (let i = 0; i < sums.length; i++) {
      next[2 * i] = sums[i] + d;
      next[2 * i + 1] = sums[i] - d;
    }
    sums = next;
  }
  return sums;
}

/** How many elements of an ascending array are < value (strict) or ≤ value (inclusive). */
function countBelow(sorted: Float64Array, value: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value || (inclusive && sorted[mid] === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Exact share of sign patterns with |sum| ≥ threshold (> 0), by meeting in the middle: the signed
 * sums of each half (2^(n/2) each) are combined by binary search instead of visiting all 2^n patterns.
 */
function exactSignFlipP(magnitudes: readonly number[], threshold: number): number {
  const half = magnitudes.length >> 1;
  const left = signedSums(magnitudes.slice(0, half));
  const right = signedSums(magnitudes.slice(half)).sort();
  let extreme = 0;
  for (const a of left) {
    extreme += right.length - countBelow(right, threshold - a, false); // a + b ≥ threshold
    extreme += countBelow(right, -threshold - a, true); // a + b ≤ −threshold
  }
  return extreme / (left.length * right.length);
}

/** Monte Carlo estimate (1 + hits)/(1 + resamples), which never reports 0 (Phipson & Smyth 2010). */
function monteCarloSignFlipP(magnitudes: readonly number[], threshold: number, resamples: number, random: () => number): number {
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (const d of magnitudes) sum += random() < 0.5 ? d : -d;
    if (Math.abs(sum) >= threshold) hits++;
  }
  return (1 + hits) / (1 + resamples);
}
