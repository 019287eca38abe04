import { mulberry32 } from '@swe-sim/kit';
import { bootstrapMeanDifference, bootstrapMeanInterval, bootstrapPairedMeanDifference } from './bootstrap';

/** Seeded standard normal draws (Box–Muller on mulberry32), for coverage experiments. */
function normalSample(seed: number, n: number, mean: number, sd: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
}

describe('bootstrapMeanInterval', () => {
  it('covers the true mean in at least 180 of 200 seeded normal samples (nominal 95%)', () => {
    // Percentile bootstrap of a mean is slightly liberal at small n (Efron & Tibshirani 1993, ch. 13);
    // with n = 30 it is about 93.6% (a z-interval with the n-divisor sd, under t with 29 df), and 180/200 = 90% leaves room for sampling noise.
    let covered = 0;
    for (let i = 0; i < 200; i++) {
      const { low, high } = bootstrapMeanInterval(normalSample(1000 + i, 30, 10, 2), { resamples: 1000, seed: i + 1 });
      if (low <= 10 && 10 <= high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(180);
    expect(covered).toBeLessThan(200); // an interval that always covers would be too wide to be a 95% one
  });

  it('is deterministic per seed and depends on it', () => {
    const data = normalSample(7, 20, 0, 1);
    const a = bootstrapMeanInterval(data, { seed: 42 });
    expect(bootstrapMeanInterval(data, { seed: 42 })).toEqual(a);
    expect(bootstrapMeanInterval(data, { seed: 43 })).not.toEqual(a);
    expect(bootstrapMeanInterval(data)).toEqual(bootstrapMeanInterval(data, { level: 0.95, resamples: 10_000, seed: 1 }));
  });

  it('brackets the sample mean, narrows with the level and is a point for constant data', () => {
    const data = normalSample(8, 25, 5, 1);
    const mean = data.reduce((s, v) => s + v, 0) / data.length;
    const wide = bootstrapMeanInterval(data);
    const narrow = bootstrapMeanInterval(data, { level: 0.5 });
    expect(wide.low).toBeLessThan(mean);
    expect(wide.high).toBeGreaterThan(mean);
    expect(narrow.low).toBeGreaterThan(wide.low);
    expect(narrow.high).toBeLessThan(wide.high);
    expect(narrow.level).toBe(0.5);
    expect(bootstrapMeanInterval([3, 3, 3])).toEqual({ low: 3, high: 3, level: 0.95 });
    expect(bootstrapMeanInterval([4])).toEqual({ low: 4, high: 4, level: 0.95 });
  });

  it('has NaN bounds for empty data and refuses bad input', () => {
    const empty = bootstrapMeanInterval([]);
    expect(empty.low).toBeNaN();
    expect(empty.high).toBeNaN();
    expect(() => bootstrapMeanInterval([1, NaN])).toThrow('values[1] must be a finite number, got NaN');
    for (const level of [0, 1, -0.5, 2, NaN]) expect(() => bootstrapMeanInterval([1, 2], { level })).toThrow(/level must be a number strictly between 0 and 1/);
    expect(() => bootstrapMeanInterval([1, 2], { resamples: 0 })).toThrow(/resamples must be a positive integer/);
    expect(() => bootstrapMeanInterval([1, 2], { seed: 1.5 })).toThrow(/seed must be an integer/);
  });
});

describe('bootstrapPairedMeanDifference', () => {
  it('is the interval of the mean of a[i] − b[i]', () => {
    const a = normalSample(11, 15, 3, 1);
    const b = normalSample(12, 15, 2, 1);
    expect(bootstrapPairedMeanDifference(a, b, { seed: 5 })).toEqual(
      bootstrapMeanInterval(
        a.map((v, i) => v - b[i]),
        { seed: 5 },
      ),
    );
  });

  it('is much narrower than the unpaired interval when pairs share their noise', () => {
    // The whole point of the paired design: a seed's own difficulty cancels out.
    const shared = normalSample(13, 20, 0, 10);
    const a = shared.map((v, i) => v + 1 + 0.1 * Math.sin(i));
    const b = shared.map((v) => v);
    const paired = bootstrapPairedMeanDifference(a, b);
    const unpaired = bootstrapMeanDifference(a, b);
    expect(paired.low).toBeGreaterThan(0.9);
    expect(paired.high).toBeLessThan(1.1);
    expect(unpaired.high - unpaired.low).toBeGreaterThan(20 * (paired.high - paired.low));
  });

  it('refuses samples of different lengths', () => {
    expect(() => bootstrapPairedMeanDifference([1, 2], [1])).toThrow('bootstrapPairedMeanDifference needs two samples of the same length, got 2 and 1');
  });
});

describe('bootstrapMeanDifference (unpaired)', () => {
  it('covers the true difference in at least 180 of 200 seeded pairs of normal samples', () => {
    let covered = 0;
    for (let i = 0; i < 200; i++) {
      const a = normalSample(5000 + i, 20, 12, 2);
      const b = normalSample(9000 + i, 15, 10, 3);
      const { low, high } = bootstrapMeanDifference(a, b, { resamples: 1000, seed: i + 1 });
      if (low <= 2 && 2 <= high) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(180);
    expect(covered).toBeLessThan(200);
  });

  it('is deterministic per seed, defined for unequal sizes, NaN when a group is empty', () => {
    const a = [1, 2, 3, 4];
    const b = [2, 3];
    expect(bootstrapMeanDifference(a, b, { seed: 9 })).toEqual(bootstrapMeanDifference(a, b, { seed: 9 }));
    expect(bootstrapMeanDifference([5, 5], [2, 2, 2])).toEqual({ low: 3, high: 3, level: 0.95 });
    expect(bootstrapMeanDifference([], [1]).low).toBeNaN();
    expect(() => bootstrapMeanDifference([1], [Infinity])).toThrow('b[0] must be a finite number, got Infinity');
  });
});
