import { backoffMs, retrySettings } from './http-attempt';

describe('retry settings and back-off', () => {
  it('fills in the defaults, at least one attempt', () => {
    expect(retrySettings(undefined)).toEqual({ maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 });
    expect(retrySettings({ maxAttempts: 0, baseDelayMs: 10 })).toEqual({ maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10_000 });
  });

  it('doubles each attempt, half fixed and half random, up to the cap', () => {
    const retry = retrySettings({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(retry, a, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(retry, a, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(retry, 2, () => 0.5)).toBe(150);
  });

  it("waits at least a server's Retry-After, but never past the cap", () => {
    const retry = retrySettings({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffMs(retry, 1, () => 0, 700)).toBe(700);
    expect(backoffMs(retry, 1, () => 1, 10)).toBe(100);
    expect(backoffMs(retry, 1, () => 0, 60_000)).toBe(1000);
  });
});
