'use strict';

/** A fixed-capacity key/value cache that evicts the least recently used entry. */
class LRUCache {
  constructor(capacity) {
    throw new Error('not implemented');
  }
}

module.exports = { LRUCache };
