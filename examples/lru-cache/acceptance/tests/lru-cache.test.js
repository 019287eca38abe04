'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { LRUCache } = require('../src/lru-cache');

test('get returns what put stored, undefined for a missing key', () => {
  const c = new LRUCache(2);
  c.put('a', 1);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('missing'), undefined);
  assert.equal(c.has('a'), true);
  assert.equal(c.has('missing'), false);
});

test('put on an existing key replaces the value without growing', () => {
  const c = new LRUCache(2);
  c.put('a', 1);
  c.put('a', 2);
  assert.equal(c.get('a'), 2);
  assert.equal(c.size, 1);
});

test('evicts the least recently used entry when over capacity', () => {
  const c = new LRUCache(2);
  c.put('a', 1);
  c.put('b', 2);
  c.put('c', 3);
  assert.equal(c.has('a'), false);
  assert.deepEqual(c.keys(), ['b', 'c']);
  assert.equal(c.size, 2);
});

test('get and put refresh recency', () => {
  const c = new LRUCache(2);
  c.put('a', 1);
  c.put('b', 2);
  c.get('a'); // a is now the most recent: b goes
  c.put('c', 3);
  assert.deepEqual(c.keys(), ['a', 'c']);
  c.put('a', 10); // a again: c goes next
  c.put('d', 4);
  assert.deepEqual(c.keys(), ['a', 'd']);
  assert.equal(c.get('a'), 10);
});

test('has does not refresh recency; falsy values are stored', () => {
  const c = new LRUCache(2);
  c.put('zero', 0);
  c.put('b', null);
  assert.equal(c.has('zero'), true);
  c.put('c', 3);
  assert.equal(c.has('zero'), false);
  assert.equal(c.get('b'), null);
  assert.equal(c.has('b'), true);
});

test('capacity must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, NaN, '2', undefined]) {
    assert.throws(() => new LRUCache(bad), RangeError, String(bad));
  }
  const one = new LRUCache(1);
  one.put('x', 1);
  one.put('y', 2);
  assert.deepEqual(one.keys(), ['y']);
  assert.equal(one.capacity, 1);
});
