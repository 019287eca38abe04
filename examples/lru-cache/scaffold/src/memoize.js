'use strict';

/** Wraps fn so that its results are cached, keeping at most `capacity` of them (least recently used go first). */
function memoize(fn, options) {
  throw new Error('not implemented');
}

module.exports = { memoize };
