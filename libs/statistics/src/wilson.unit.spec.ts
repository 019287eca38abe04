import { wilsonInterval } from './wilson';

describe('wilsonInterval', () => {
  // Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17:857–872, Table I, method 3 (score, no continuity
  // correction), 95% limits to 4 decimals.
  const newcombeTableI: Array<[number, number, number, number]> = [
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ];
  it.each(newcombeTableI)('%p/%p matches Newcombe Table I', (x, n, low, high) => {
    const i = wilsonInterval(x, n);
    expect(i.level).toBe(0.95);
    expect(Math.abs(i.low - low)).toBeLessThanOrEqual(0.00005);
    expect(Math.abs(i.high - high)).toBeLessThanOrEqual(0.00005);
  });

  it('is exactly [0, …] and […, 1] at the extremes, mirrors x ↔ n − x, and narrows with the level', () => {
    expect(wilsonInterval(0, 20).low).toBe(0);
    expect(wilsonInterval(20, 20).high).toBe(1);
    const a = wilsonInterval(3, 10);
    const b = wilsonInterval(7, 10);
    expect(a.low).toBeCloseTo(1 - b.high, 14);
    expect(a.high).toBeCloseTo(1 - b.low, 14);
    const narrow = wilsonInterval(3, 10, 0.5);
    expect(narrow.low).toBeGreaterThan(a.low);
    expect(narrow.high).toBeLessThan(a.high);
    expect(narrow.level).toBe(0.5);
  });

  it('returns [0, 1] with no trials', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1, level: 0.95 });
  });

  it('refuses impossible counts and levels', () => {
    expect(() => wilsonInterval(5, 3)).toThrow(/successes must be an integer between 0 and n/);
    expect(() => wilsonInterval(-1, 3)).toThrow(/successes/);
    expect(() => wilsonInterval(1.5, 3)).toThrow(/successes/);
    expect(() => wilsonInterval(1, -2)).toThrow(/n must be a non-negative integer/);
    expect(() => wilsonInterval(1, NaN)).toThrow(/n must be/);
    for (const level of [0, 1, 1.5, NaN]) expect(() => wilsonInterval(1, 3, level)).toThrow(/level must be a number strictly between 0 and 1/);
  });
});
