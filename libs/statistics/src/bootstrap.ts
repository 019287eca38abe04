import { mulberry32 } from '@swe-sim/kit';
import type { Interval } from './interval';
import { quantileSorted } from './summary';
import { assertFiniteValues, assertLevel, assertPositiveInteger, assertSameLength, assertSeed } from './validate';

export interface BootstrapOptions {
  /** Confidence level, strictly between 0 and 1. Default 0.95. */
  level?: number;
  /** Number of bootstrap resamples. Default 10 000. */
  resamples?: number;
  /** Seed of the resampling (mulberry32), so the same data always give the same interval. Default 1. */
  seed?: number;
}

interface ResolvedOptions {
  level: number;
  resamples: number;
  random: () => number;
}

function resolve(opts: BootstrapOptions | undefined): ResolvedOptions {
  const level = opts?.level ?? 0.95;
  const resamples = opts?.resamples ?? 10_000;
  const seed = opts?.seed ?? 1;
  assertLevel(level);
  assertPositiveInteger(resamples, 'resamples');
  assertSeed(seed);
  return { level, resamples, random: mulberry32(seed) };
}

/** Mean of a resample drawn with replacement from values. */
function resampledMean(values: readonly number[], random: () => number): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)];
  return sum / n;
}

/** Percentile interval: the (1 − level)/2 and (1 + level)/2 quantiles (type 7) of the bootstrap statistics. */
function percentileInterval(statistics: Float64Array, level: number): Interval {
  statistics.sort();
  return { low: quantileSorted(statistics, (1 - level) / 2), high: quantileSorted(statistics, (1 + level) / 2), level };
}

const UNDEFINED = (level: number): Interval => ({ low: NaN, high: NaN, level });

/** Percentile bootstrap interval of the mean. Empty data → NaN bounds (there is no mean). */
export function bootstrapMeanInterval(values: number[], opts?: BootstrapOptions): Interval {
  assertFiniteValues(values, 'values');
  const { level, resamples, random } = resolve(opts);
  if (values.length === 0) return UNDEFINED(level);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) means[b] = resampledMean(values, random);
  return percentileInterval(means, level);
}

/** Percentile bootstrap interval of mean(a[i] − b[i]): pairs are resampled together. */
export function bootstrapPairedMeanDifference(a: number[], b: number[], opts?: BootstrapOptions): Interval {
  assertFiniteValues(a, 'a');
  assertFiniteValues(b, 'b');
  assertSameLength(a, b, 'bootstrapPairedMeanDifference');
  return bootstrapMeanInterval(
    a.map((v, i) => v - b[i]),
    opts,
  );
}

/** Percentile bootstrap interval of mean(a) − mean(b) for independent samples: each group is resampled on its own. */
export function bootstrapMeanDifference(a: number[], b: number[], opts?: BootstrapOptions): Interval {
  assertFiniteValues(a, 'a');
  assertFiniteValues(b, 'b');
  const { level, resamples, random } = resolve(opts);
  if (a.length === 0 || b.length === 0) return UNDEFINED(level);
  const differences = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) differences[r] = resampledMean(a, random) - resampledMean(b, random);
  return percentileInterval(differences, level);
}
