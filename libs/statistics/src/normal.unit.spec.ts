import { normalCdf, normalQuantile } from './normal';

/** |actual − expected| ≤ rel·|expected| (toBeCloseTo only knows absolute digits, useless in the tails). */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

describe('normalCdf (Cody 1969, as R pnorm)', () => {
  // Reference values: mpmath.ncdf (mpmath 1.3.0) at 40 significant digits, shown to 20.
  const cases: Array<[number, number]> = [
    [-5, 2.8665157187919391167e-7],
    [-1, 0.15865525393145705141],
    [-0.5, 0.30853753872598689636],
    [0, 0.5],
    [1.96, 0.97500210485177956379],
    [3, 0.99865010196836990547],
    [6, 0.99999999901341235496],
    [-10, 7.619853024160526066e-24],
    [-20, 2.7536241186062336951e-89],
    [-37, 5.7255712225245768227e-300],
  ];
  it.each(cases)('pnorm(%p) within 1e-14 relative', (z, expected) => {
    expectRelative(normalCdf(z), expected, 1e-14);
  });

  it('keeps relative accuracy deep in the lower tail, where 1 − Φ(|z|) would round to 0', () => {
    expect(normalCdf(-10)).toBeGreaterThan(0);
    expect(1 - normalCdf(10)).toBe(0); // what a complement-based implementation would return
  });

  it('is symmetric, monotone, and saturates far out', () => {
    for (const z of [0.1, 0.6744, 0.6745, 1, 2.5, 5.6, 5.7, 8]) expectRelative(normalCdf(z) + normalCdf(-z), 1, 1e-15);
    let previous = 0;
    for (let z = -8; z <= 8; z += 0.01) {
      const p = normalCdf(z);
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
    }
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
  });
});

describe('normalQuantile (Wichura AS 241, as R qnorm)', () => {
  // Reference values: the root of mpmath.ncdf(z) = p (mpmath.findroot at 40 digits), shown to 20.
  const cases: Array<[number, number]> = [
    [0.975, 1.9599639845400538556],
    [0.025, -1.9599639845400542118],
    [0.9, 1.2815515655446005935],
    [0.1, -1.2815515655446004353],
    [1e-10, -6.3613409024040561991],
    [1e-20, -9.2623400897984075796],
    [1e-300, -37.047096299361199237],
  ];
  it.each(cases)('qnorm(%p) within 1e-14 relative', (p, expected) => {
    expectRelative(normalQuantile(p), expected, 1e-14);
  });

  it('inverts normalCdf across the range', () => {
    // Lower tail only: near p = 1 the probability itself has lost the digits (1 − 1e-9 keeps 7).
    for (const z of [-30, -12, -6, -3, -1, -0.3, 0.3, 1]) expectRelative(normalQuantile(normalCdf(z)), z, 1e-12);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('maps 0 and 1 to the infinities and refuses what is not a probability', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    for (const bad of [-0.1, 1.1, NaN]) expect(() => normalQuantile(bad)).toThrow(/probability in \[0, 1\]/);
  });
});
