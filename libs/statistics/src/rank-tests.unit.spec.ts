import { rankSumCounts, signedRankCounts } from './exact-distributions';
import reference from './fixtures/scipy-rank-tests.json';
import { mannWhitney, wilcoxonSignedRank } from './rank-tests';

// Expected values come from R's own example outputs: tests/Examples/stats-Ex.Rout.save in the R
// sources (the checked output of example(wilcox.test)), unless stated otherwise.

describe('wilcoxonSignedRank (R: wilcox.test(x, y, paired = TRUE))', () => {
  // ?wilcox.test: Hollander & Wolfe (1973) p. 29, Hamilton depression scale, first (x) and second (y) visit.
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];

  it('reproduces the depression example: V = 40, exact two-sided p = 0.03906', () => {
    // R: wilcox.test(Pair(first, second) ~ 1, data = depression) → "V = 40, p-value = 0.03906";
    // exactly 2 · 10/512 (10 of the 2^9 sign patterns reach V ≥ 40).
    const r = wilcoxonSignedRank(x, y);
    expect(r.statistic).toBe(40);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(0.0390625, 15);
    // Rank-biserial: T+ = 40, T− = 45 − 40 = 5 → (40 − 5)/45.
    expect(r.effectSize).toBeCloseTo(35 / 45, 15);
  });

  it('is symmetric in its arguments: V becomes n(n+1)/2 − V, p stays, the effect changes sign', () => {
    // R: wilcox.test(change ~ 1) with change = y − x → "V = 5, p-value = 0.03906".
    const r = wilcoxonSignedRank(y, x);
    expect(r.statistic).toBe(5);
    expect(r.pValue).toBeCloseTo(0.0390625, 15);
    expect(r.effectSize).toBeCloseTo(-35 / 45, 15);
  });

  it('uses the normal approximation with tie and continuity correction when differences tie', () => {
    // R: wilcox.test(4:2, 3:1, paired = TRUE) → "V = 6, p-value = 0.1489" (with continuity correction).
    const r = wilcoxonSignedRank([4, 3, 2], [3, 2, 1]);
    expect(r.statistic).toBe(6);
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeCloseTo(0.1489, 4);
    expect(r.effectSize).toBe(1);
    // R: wilcox.test((4:2)/10, (3:1)/10, paired = TRUE) → exact "V = 6, p-value = 0.25": in
    // doubles 0.4 − 0.3, 0.3 − 0.2 and 0.2 − 0.1 differ, so there are no ties.
    const noTies = wilcoxonSignedRank([0.4, 0.3, 0.2], [0.3, 0.2, 0.1]);
    expect(noTies.method).toBe('exact');
    expect(noTies.pValue).toBe(0.25);
  });

  it('drops zero differences and then cannot be exact (as R)', () => {
    // A zero difference added to the depression data: n stays 9, V stays 40, p is the corrected normal one.
    // R's formula: z = (40 − 22.5 − 0.5)/sqrt(9·10·19/24) = 17/√71.25 = 2.01399; p = 2·(1 − Φ(z)) =
    // 0.0440109840 (scipy.stats.norm.sf(z) · 2).
    const r = wilcoxonSignedRank([...x, 5], [...y, 5]);
    expect(r.statistic).toBe(40);
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeCloseTo(0.044010984, 9);
    expect(r.effectSize).toBeCloseTo(35 / 45, 15);
  });

  it('switches to the normal approximation at 50 pairs', () => {
    const a = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? -1 : 1) * (i + 1)); // distinct, non-zero
    const b = new Array<number>(50).fill(0);
    expect(wilcoxonSignedRank(a.slice(0, 49), b.slice(0, 49)).method).toBe('exact');
    expect(wilcoxonSignedRank(a, b).method).toBe('normal');
  });

  it('gives p = 1 and effect 0 when there is nothing to compare', () => {
    expect(wilcoxonSignedRank([], [])).toEqual({ statistic: 0, pValue: 1, method: 'normal', effectSize: 0 });
    expect(wilcoxonSignedRank([1, 2, 3], [1, 2, 3])).toEqual({ statistic: 0, pValue: 1, method: 'normal', effectSize: 0 });
  });

  it('refuses unequal lengths and non-finite values', () => {
    expect(() => wilcoxonSignedRank([1, 2], [1])).toThrow('wilcoxonSignedRank needs two samples of the same length, got 2 and 1');
    expect(() => wilcoxonSignedRank([1, NaN], [1, 2])).toThrow('x[1] must be a finite number, got NaN');
    expect(() => wilcoxonSignedRank([1, 2], [1, Infinity])).toThrow(/y\[1\]/);
  });
});

describe('mannWhitney (R: wilcox.test(x, y))', () => {
  it('reproduces the chorioamnion example: W = 35, exact two-sided p = 0.2544', () => {
    // ?wilcox.test: Hollander & Wolfe (1973) p. 69, permeability at term (x) and at 12–26 weeks (y).
    // R prints "W = 35, p-value = 0.1272" for alternative = "greater"; two-sided doubles it:
    // 2 · 382/3003 = 0.254412 (P(W ≥ 35): 382 of the C(15, 5) = 3003 arrangements, by enumeration).
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitney(x, y);
    expect(r.statistic).toBe(35);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo((2 * 382) / 3003, 14);
    expect(r.pValue).toBeCloseTo(0.2544, 4);
    // Cliff's delta: 35 pairs with x above y, 15 below, out of 50.
    expect(r.effectSize).toBeCloseTo(0.4, 15);
  });

  it('reproduces airquality Ozone, May against August (ties): W = 127.5, p = 0.0001208', () => {
    // R: wilcox.test(Ozone ~ Month, data = airquality, subset = Month %in% c(5, 8)) →
    // "W = 127.5, p-value = 0.0001208" with continuity correction. Data: R's datasets/data/airquality.tab, NAs dropped.
    const may = [41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37];
    const august = [39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85];
    const r = mannWhitney(may, august);
    expect(r.statistic).toBe(127.5);
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeCloseTo(0.0001208, 7);
    expect(r.effectSize).toBeCloseTo((2 * 127.5) / (26 * 26) - 1, 15);
  });

  it('gives Cliff’s delta ±1 for separated samples and agrees with counting pairs', () => {
    expect(mannWhitney([5, 6, 7], [1, 2]).effectSize).toBe(1);
    expect(mannWhitney([1, 2], [5, 6, 7]).effectSize).toBe(-1);
    const x = [3, 1, 4, 1, 5, 9, 2, 6];
    const y = [2, 7, 1, 8, 2, 8];
    let above = 0;
    let below = 0;
    for (const a of x) for (const b of y) (a > b ? above++ : a < b ? below++ : 0);
    expect(mannWhitney(x, y).effectSize).toBeCloseTo((above - below) / (x.length * y.length), 15);
  });

  it('gives p = 1 and effect 0 for identical groups and empty samples', () => {
    expect(mannWhitney([4, 4, 4], [4, 4])).toEqual({ statistic: 3, pValue: 1, method: 'normal', effectSize: 0 });
    const same = mannWhitney([1, 2, 3], [1, 2, 3]);
    expect(same.pValue).toBe(1);
    expect(same.effectSize).toBe(0);
    expect(mannWhitney([], [1, 2])).toEqual({ statistic: 0, pValue: 1, method: 'normal', effectSize: 0 });
  });

  it('refuses non-finite values', () => {
    expect(() => mannWhitney([1, 2], [NaN])).toThrow('y[0] must be a finite number, got NaN');
  });
});

describe('agreement with SciPy on random samples', () => {
  // fixtures/scipy-rank-tests.json: 48 random samples (half small integers with ties and zeros, half
  // continuous; 3 to 55 values) and SciPy's p-values under R's rules, from make-scipy-rank-tests.py.
  const relative = (a: number, b: number): number => Math.abs(a - b) / b;
  it.each(reference.cases.map((c, i) => [i, c] as const))('case %p', (_, c) => {
    const paired = wilcoxonSignedRank(c.x, c.y);
    expect(relative(paired.pValue, c.pairedP)).toBeLessThan(1e-12);
    if (c.pairedExact) expect(paired.method).toBe('exact');
    const unpaired = mannWhitney(c.x, c.z);
    expect(unpaired.statistic).toBe(c.unpairedW);
    expect(unpaired.method).toBe(c.unpairedExact ? 'exact' : 'normal');
    expect(relative(unpaired.pValue, c.unpairedP)).toBeLessThan(1e-12);
  });
});

describe('exact null distributions by dynamic programming', () => {
  /** Brute force: every subset of {1..n} (signed ranks) or every choice of m positions of m + n (rank sums). */
  function bruteSignedRank(n: number): number[] {
    const counts = new Array((n * (n + 1)) / 2 + 1).fill(0);
    for (let mask = 0; mask < 1 << n; mask++) {
      let v = 0;
      for (let r = 1; r <= n; r++) if (mask & (1 << (r - 1))) v += r;
      counts[v]++;
    }
    return counts;
  }
  function bruteRankSum(m: number, n: number): number[] {
    const counts = new Array(m * n + 1).fill(0);
    for (let mask = 0; mask < 1 << (m + n); mask++) {
      let bits = 0;
      for (let k = 0; k < m + n; k++) if (mask & (1 << k)) bits++;
      if (bits !== m) continue;
      let w = 0; // for each x (set bit), the y's (clear bits) below it
      let ysBelow = 0;
      for (let k = 0; k < m + n; k++) (mask & (1 << k) ? (w += ysBelow) : ysBelow++);
      counts[w]++;
    }
    return counts;
  }

  it('counts signed-rank sums like enumeration', () => {
    for (const n of [1, 2, 5, 9, 12]) expect(Array.from(signedRankCounts(n))).toEqual(bruteSignedRank(n));
  });

  it('counts rank sums like enumeration', () => {
    for (const [m, n] of [[1, 1], [2, 3], [3, 2], [5, 10], [10, 5], [6, 6]]) expect(Array.from(rankSumCounts(m, n))).toEqual(bruteRankSum(m, n));
  });

  it('handles the largest exact cases quickly and keeps the totals', () => {
    const started = Date.now();
    const signed = signedRankCounts(49);
    const sums = rankSumCounts(49, 49);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(signed.reduce((s, c) => s + c, 0)).toBe(2 ** 49);
    // C(98, 49) = 25477612258980856902730428600 (OEIS A000984, central binomial coefficients, n = 49).
    expect(sums.reduce((s, c) => s + c, 0) / 25477612258980856902730428600).toBeCloseTo(1, 12);
  });
});
