import { diffValues, stableStringify } from './json';

describe('stableStringify', () => {
  it('sorts object keys at every depth and drops undefined members', () => {
    expect(stableStringify({ b: 1, a: [{ d: 1, c: 2 }], u: undefined })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('diffValues', () => {
  it('names the paths that differ, recorded value first', () => {
    const d = diffValues({ messages: [{ content: 'a' }, { content: 'b' }], sampling: { seed: 1 } }, { messages: [{ content: 'a' }, { content: 'c' }], sampling: { seed: 2 } });
    expect(d).toEqual(['messages[1].content: recorded "b" vs now "c"', 'sampling.seed: recorded 1 vs now 2']);
    expect(diffValues({ m: [1] }, { m: [1, 2] })[0]).toMatch(/m.length: recorded 1 vs now 2/);
  });
  it('finds nothing between equal values whatever their key order, and stops at the limit', () => {
    expect(diffValues({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toEqual([]);
    expect(diffValues({ a: 1, b: 2, c: 3 }, { a: 2, b: 3, c: 4 }, 2)).toHaveLength(2);
  });
});
