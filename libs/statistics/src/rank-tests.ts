import { lowerTail, rankSumCounts, signedRankCounts, upperTail } from './exact-distributions';
import { normalCdf } from './normal';
import { averageRanks, tieCorrection } from './ranks';
import { assertFiniteValues, assertSameLength } from './validate';

export interface TestResult {
  /** V (sum of the ranks of positive differences) for the signed-rank test, W for Mann–Whitney, as R reports them. */
  statistic: number;
  /** Two-sided. */
  pValue: number;
  method: 'exact' | 'normal';
  /** Matched-pairs rank-biserial for the signed-rank test, Cliff's delta for Mann–Whitney; both in [−1, 1], positive when x tends to exceed y. */
  effectSize: number;
}

/** R switches from the exact distribution to the normal approximation at 50 observations. */
const EXACT_BELOW = 50;

const NO_EVIDENCE = (statistic: number): TestResult => ({ statistic, pValue: 1, method: 'normal', effectSize: 0 });

/** Two-sided exact p from a discrete null symmetric about `centre`, R's rule: double the nearer tail. */
function exactTwoSided(counts: Float64Array, statistic: number, centre: number): number {
  const oneSide = statistic > centre ? upperTail(counts, statistic) : lowerTail(counts, statistic);
  return Math.min(1, 2 * oneSide);
}

/** Two-sided normal approximation with continuity correction, R's rule. */
function normalTwoSided(deviation: number, sigma: number): number {
  const z = (deviation - Math.sign(deviation) * 0.5) / sigma;
  return 2 * Math.min(normalCdf(z), normalCdf(-z));
}

/**
 * Wilcoxon signed-rank test of the paired differences x[i] − y[i], two-sided, as R's
 * `wilcox.test(x, y, paired = TRUE)`: zero differences are dropped; exact when fewer than 50
 * remain and there are neither ties nor zeros, else the normal approximation with tie and
 * continuity correction. Effect size: the matched-pairs rank-biserial (T+ − T−)/(T+ + T−) (Kerby 2014).
 */
export function wilcoxonSignedRank(x: number[], y: number[]): TestResult {
  assertFiniteValues(x, 'x');
  assertFiniteValues(y, 'y');
  assertSameLength(x, y, 'wilcoxonSignedRank');
  const all = x.map((v, i) => v - y[i]);
  const differences = all.filter((d) => d !== 0);
  const hadZeros = differences.length < all.length;
  const n = differences.length;
  if (n === 0) return NO_EVIDENCE(0);
  const { ranks, tieSizes } = averageRanks(differences.map(Math.abs));
  let statistic = 0;
  for (let i = 0; i < n; i++) if (differences[i] > 0) statistic += ranks[i];
  const rankTotal = (n * (n + 1)) / 2;
  const effectSize = (2 * statistic) / rankTotal - 1;
  const centre = rankTotal / 2;
  if (n < EXACT_BELOW && tieSizes.length === 0 && !hadZeros) {
    return { statistic, pValue: exactTwoSided(signedRankCounts(n), statistic, centre), method: 'exact', effectSize };
  }
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieCorrection(tieSizes) / 48;
  if (!(variance > 0)) return { ...NO_EVIDENCE(statistic), effectSize };
  return { statistic, pValue: normalTwoSided(statistic - centre, Math.sqrt(variance)), method: 'normal', effectSize };
}

/**
 * Mann–Whitney (Wilcoxon rank-sum) test of two independent samples, two-sided, as R's
 * `wilcox.test(x, y)`: W = rank sum of x − nx(nx + 1)/2 (pairs with x above y, ties counting
 * one half); exact when both samples have fewer than 50 values and there are no ties, else the
 * normal approximation with tie and continuity correction. Effect size: Cliff's delta,
 * P(x > y) − P(x < y) = 2W/(nx·ny) − 1.
 */
export function mannWhitney(x: number[], y: number[]): TestResult {
  assertFiniteValues(x, 'x');
  assertFiniteValues(y, 'y');
  const nx = x.length;
  const ny = y.length;
  if (nx === 0 || ny === 0) return NO_EVIDENCE(0);
  const { ranks, tieSizes } = averageRanks([...x, ...y]);
  let rankSum = 0;
  for (let i = 0; i < nx; i++) rankSum += ranks[i];
  const statistic = rankSum - (nx * (nx + 1)) / 2;
  const pairs = nx * ny;
  const effectSize = (2 * statistic) / pairs - 1;
  const centre = pairs / 2;
  if (nx < EXACT_BELOW && ny < EXACT_BELOW && tieSizes.length === 0) {
    return { statistic, pValue: exactTwoSided(rankSumCounts(nx, ny), statistic, centre), method: 'exact', effectSize };
  }
  const total = nx + ny;
  const variance = (pairs / 12) * (total + 1 - tieCorrection(tieSizes) / (total * (total - 1)));
  if (!(variance > 0)) return { ...NO_EVIDENCE(statistic), effectSize };
  return { statistic, pValue: normalTwoSided(statistic - centre, Math.sqrt(variance)), method: 'normal', effectSize };
}
