'use strict';

/**
 * A fixed-capacity key/value cache that evicts the least recently used entry.
 * A Map iterates in insertion order, so re-inserting a key on every use keeps
 * the least recently used key first.
 */
class LRUCache {
  constructor(capacity) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.map = new Map();
  }

  get size() {
    return this.map.size;
  }

  has(key) {
    return this.map.has(key);
  }

  get(key) {
    if (!this.map.has(key)) return undefined;
    const value = this.map.get(key);
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  put(key, value) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) {
      this.map.delete(this.map.keys().next().value);
    }
  }

  /** Keys from the least to the most recently used. */
  keys() {
    return [...this.map.keys()];
  }
}

module.exports = { LRUCache };
