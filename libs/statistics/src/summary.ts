import { assertFiniteValues } from './validate';

export interface Summary {
  n: number;
  mean: number;
  sd: number;
  median: number;
  min: number;
  max: number;
}

/**
 * Mean with R's second pass (`mean.default` refines s/n by the mean residual), so data with a
 * large offset and a small spread (NIST NumAcc3/4) keep their digits.
 */
export function mean(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  const first = sum / n;
  let residual = 0;
  for (const v of values) residual += v - first;
  return first + residual / n;
}

/** Type 7 quantile (R's default, linear between order statistics) of already sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Ascending numeric copy (a typed array sorts numerically, not as strings). */
export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** n, mean, sample standard deviation (n − 1; 0 for one value), median, min, max. n = 0 → NaNs. */
export function summarize(values: number[]): Summary {
  assertFiniteValues(values, 'values');
  const n = values.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN, median: NaN, min: NaN, max: NaN };
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  const sorted = sortedCopy(values);
  return {
    n,
    mean: m,
    sd: n === 1 ? 0 : Math.sqrt(squares / (n - 1)),
    median: quantileSorted(sorted, 0.5),
    min: sorted[0],
    max: sorted[n - 1],
  };
}
