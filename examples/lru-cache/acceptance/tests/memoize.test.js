'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { memoize } = require('../src/memoize');

function counting(fn) {
  const calls = [];
  const wrapped = (...args) => {
    calls.push(args);
    return fn(...args);
  };
  return { wrapped, calls };
}

test('calls the function once per distinct argument', () => {
  const { wrapped, calls } = counting((n) => n * 2);
  const m = memoize(wrapped, { capacity: 10 });
  assert.equal(m(2), 4);
  assert.equal(m(2), 4);
  assert.equal(m(3), 6);
  assert.equal(calls.length, 2);
});

test('keeps at most capacity results, dropping the least recently used', () => {
  const { wrapped, calls } = counting((n) => n + 1);
  const m = memoize(wrapped, { capacity: 2 });
  m(1);
  m(2);
  m(1); // 1 is the most recent
  m(3); // evicts 2
  assert.equal(calls.length, 3);
  m(1);
  assert.equal(calls.length, 3);
  m(2); // recomputed
  assert.equal(calls.length, 4);
  assert.equal(m.size, 2);
});

test('the default key is the first argument; a key function can combine several', () => {
  const { wrapped, calls } = counting((a, b) => a + b);
  const byFirst = memoize(wrapped, { capacity: 5 });
  assert.equal(byFirst(1, 2), 3);
  assert.equal(byFirst(1, 100), 3); // same key: cached result
  const both = memoize(wrapped, { capacity: 5, key: (a, b) => `${a},${b}` });
  assert.equal(both(1, 2), 3);
  assert.equal(both(1, 100), 101);
  assert.equal(calls.length, 3);
});

test('caches undefined results too, and clear() forgets everything', () => {
  const { wrapped, calls } = counting(() => undefined);
  const m = memoize(wrapped, { capacity: 3 });
  m('x');
  m('x');
  assert.equal(calls.length, 1);
  m.clear();
  assert.equal(m.size, 0);
  m('x');
  assert.equal(calls.length, 2);
});

test('capacity must be a positive integer', () => {
  assert.throws(() => memoize((x) => x, { capacity: 0 }), RangeError);
  assert.throws(() => memoize((x) => x, {}), RangeError);
});
