import { mulberry32 } from '@swe-sim/kit';
import { permutationTestPaired } from './permutation';

// Darwin's Zea mays: cross- minus self-fertilised heights of 15 pairs, in eighths of an inch, as
// Fisher (1935) The Design of Experiments §21 uses them (sum 314).
const ZEA_MAYS = [49, -67, 8, 16, 6, 23, 28, 41, 14, 29, 56, 24, 75, 60, -48];
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

/** Share of the 2^n sign patterns with |Σ ±d| ≥ |Σ d|, by visiting every pattern. */
function bruteForceP(d: readonly number[]): number {
  const observed = Math.abs(d.reduce((s, v) => s + v, 0));
  let extreme = 0;
  for (let mask = 0; mask < 1 << d.length; mask++) {
    let sum = 0;
    for (let k = 0; k < d.length; k++) sum += mask & (1 << k) ? Math.abs(d[k]) : -Math.abs(d[k]);
    if (Math.abs(sum) >= observed) extreme++;
  }
  return extreme / 2 ** d.length;
}

describe('permutationTestPaired', () => {
  it("reproduces Fisher's exact test on Darwin's Zea mays: 1726 of 32768 patterns, p = 0.05267", () => {
    // Fisher (1935) §21, as secondary sources quote it (the book itself was not at hand): 863 of the
    // 2^15 sign arrangements reach a total of 314 or more; both tails, 1726/32768 = 5.267%. The
    // brute-force count below confirms the number independently.
    const r = permutationTestPaired(ZEA_MAYS, zeros(15));
    expect(r).toEqual({ pValue: 1726 / 32768, method: 'exact' });
    expect(r.pValue).toBe(bruteForceP(ZEA_MAYS));
  });

  it('agrees with brute force on random data of every small size, odd and even', () => {
    const random = mulberry32(3);
    for (let n = 1; n <= 14; n++) {
      const x = Array.from({ length: n }, () => Math.round(random() * 40 - 15));
      const y = Array.from({ length: n }, () => Math.round(random() * 20 - 10));
      const d = x.map((v, i) => v - y[i]).filter((v) => v !== 0);
      expect(permutationTestPaired(x, y).pValue).toBeCloseTo(d.length ? bruteForceP(d) : 1, 14);
    }
  });

  it('counts patterns whose sum equals the observed one despite rounding (decimal data)', () => {
    // 0.1 + 0.2 − 0.3 + 0.6 in doubles is not the same number as the same sum in another order;
    // the same data scaled to integers (exact in doubles) must give the same p.
    const decimals = [0.1, 0.2, -0.3, 0.6, 0.4, -0.5, 0.7];
    const integers = decimals.map((v) => Math.round(v * 10));
    const p = permutationTestPaired(decimals, zeros(7)).pValue;
    expect(p).toBe(permutationTestPaired(integers, zeros(7)).pValue);
    expect(p).toBe(bruteForceP(integers));
  });

  it('uses the x − y differences, drops zero differences, and is symmetric in x and y', () => {
    const cross = ZEA_MAYS.map((d, i) => 100 + i + d);
    const self = ZEA_MAYS.map((_, i) => 100 + i);
    expect(permutationTestPaired(cross, self).pValue).toBe(1726 / 32768);
    expect(permutationTestPaired(self, cross).pValue).toBe(1726 / 32768);
    expect(permutationTestPaired([...ZEA_MAYS, 7, 7], [...zeros(15), 7, 7]).pValue).toBe(1726 / 32768);
  });

  it('switches to a seeded Monte Carlo estimate above exactUpTo, close to the exact value', () => {
    const mc = permutationTestPaired(ZEA_MAYS, zeros(15), { exactUpTo: 10, resamples: 20_000, seed: 7 });
    expect(mc.method).toBe('monte-carlo');
    // Binomial sd of the estimate: sqrt(0.0527 · 0.9473 / 20000) ≈ 0.0016; allow ~3 sd.
    expect(Math.abs(mc.pValue - 1726 / 32768)).toBeLessThan(0.005);
    expect(permutationTestPaired(ZEA_MAYS, zeros(15), { exactUpTo: 10, resamples: 20_000, seed: 7 })).toEqual(mc);
    expect(permutationTestPaired(ZEA_MAYS, zeros(15), { exactUpTo: 10, resamples: 20_000, seed: 8 }).pValue).not.toBe(mc.pValue);
  });

  it('never reports a Monte Carlo p of 0, and stays exact for 30 pairs by default', () => {
    const strong = Array.from({ length: 45 }, (_, i) => i + 1);
    const mc = permutationTestPaired(strong, zeros(45), { resamples: 1000 });
    expect(mc).toEqual({ pValue: 1 / 1001, method: 'monte-carlo' });
    const thirty = permutationTestPaired(strong.slice(0, 30), zeros(30));
    expect(thirty.method).toBe('exact');
    expect(thirty.pValue).toBe(2 / 2 ** 30); // only all-plus and all-minus reach the total
  });

  it('gives p = 1 when there is nothing to compare', () => {
    expect(permutationTestPaired([], [])).toEqual({ pValue: 1, method: 'exact' });
    expect(permutationTestPaired([1, 2, 3], [1, 2, 3])).toEqual({ pValue: 1, method: 'exact' });
    expect(permutationTestPaired([1, 3], [2, 2]).pValue).toBe(1); // differences −1 and +1 sum to 0
  });

  it('refuses unequal lengths, non-finite values and bad options', () => {
    expect(() => permutationTestPaired([1, 2], [1])).toThrow('permutationTestPaired needs two samples of the same length, got 2 and 1');
    expect(() => permutationTestPaired([NaN], [1])).toThrow('x[0] must be a finite number, got NaN');
    expect(() => permutationTestPaired([1], [1], { exactUpTo: 41 })).toThrow(/exactUpTo must be an integer between 0 and 40/);
    expect(() => permutationTestPaired([1], [1], { resamples: -3 })).toThrow(/resamples must be a positive integer/);
  });
});
