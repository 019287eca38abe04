import { summarize } from './summary';

describe('summarize', () => {
  it('matches NIST StRD NumAcc1 (certified mean 10000002, sd 1)', () => {
    // NIST Statistical Reference Datasets, univariate "NumAcc1": 10000001, 10000003, 10000002.
    const s = summarize([10000001, 10000003, 10000002]);
    expect(s).toEqual({ n: 3, mean: 10000002, sd: 1, median: 10000002, min: 10000001, max: 10000003 });
  });

  it('keeps the digits of NIST StRD NumAcc4 (certified mean 10000000.2, sd 0.1), where a one-pass variance loses them all', () => {
    // NIST StRD univariate "NumAcc4" (higher difficulty): 10000000.2, then 500 times 10000000.1, 10000000.3.
    // The data themselves are only representable to ~1e-9, so 8 digits of the sd is the attainable bar.
    const values = [10000000.2];
    for (let i = 0; i < 500; i++) values.push(10000000.1, 10000000.3);
    const s = summarize(values);
    expect(s.n).toBe(1001);
    expect(Math.abs(s.mean - 10000000.2)).toBeLessThan(1e-8);
    expect(Math.abs(s.sd - 0.1) / 0.1).toBeLessThan(1e-7);
    expect(s.median).toBe(10000000.2);
  });

  it('uses the sample (n − 1) standard deviation and the mean of the middle two as median', () => {
    // By hand: the mean of 2, 4, 4, 4, 5, 5, 7, 9 is 5 and the squared deviations sum to 32.
    expect(summarize([2, 4, 4, 4, 5, 5, 7, 9]).sd).toBeCloseTo(Math.sqrt(32 / 7), 14);
    expect(summarize([1, 3, 2, 10]).median).toBe(2.5);
  });

  it('is defined for n = 1 (sd 0) and n = 0 (NaNs), and does not reorder its input', () => {
    expect(summarize([7])).toEqual({ n: 1, mean: 7, sd: 0, median: 7, min: 7, max: 7 });
    const empty = summarize([]);
    expect(empty.n).toBe(0);
    for (const k of ['mean', 'sd', 'median', 'min', 'max'] as const) expect(empty[k]).toBeNaN();
    const input = [3, 1, 2];
    summarize(input);
    expect(input).toEqual([3, 1, 2]);
  });

  it('refuses NaN and infinite values with the index', () => {
    expect(() => summarize([1, NaN])).toThrow('values[1] must be a finite number, got NaN');
    expect(() => summarize([Infinity])).toThrow(/values\[0\]/);
  });
});
