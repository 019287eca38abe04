import { RateLimiter } from './rate-limiter';

describe('RateLimiter (token bucket per key)', () => {
  it('lets a full bucket through, then says how long until the next token', () => {
    let now = 0;
    const limiter = new RateLimiter(60, () => now); // one per second
    for (let i = 0; i < 60; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1000);
    expect(limiter.take('b')).toBe(0); // keys have their own buckets
    now += 500;
    expect(limiter.take('a')).toBe(500);
    now += 500;
    expect(limiter.take('a')).toBe(0);
    now += 3_600_000; // refills up to the bucket, not beyond
    for (let i = 0; i < 60; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });
});
