'use strict';

/** Wraps fn so that its results are cached, keeping at most `capacity` of them (least recently used go first). */
function memoize(fn, options = {}) {
  const { capacity, key = (first) => first } = options;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }
  const results = new Map();

  function memoized(...args) {
    const k = key(...args);
    if (results.has(k)) {
      const value = results.get(k);
      results.delete(k);
      results.set(k, value);
      return value;
    }
    const value = fn.apply(this, args);
    results.set(k, value);
    if (results.size > capacity) results.delete(results.keys().next().value);
    return value;
  }

  Object.defineProperty(memoized, 'size', { get: () => results.size });
  memoized.clear = () => results.clear();
  return memoized;
}

module.exports = { memoize };
