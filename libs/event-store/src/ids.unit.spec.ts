import { UUID_RE, derivedId, uuidV5 } from './ids';

describe('uuidV5', () => {
  it('is RFC 4122 UUIDv5 (the same id as any other implementation for a namespace and name)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
});

describe('derivedId', () => {
  it('gives the same parts the same id, and parts that only join alike different ids', () => {
    expect(derivedId('sim', 3)).toBe(derivedId('sim', 3));
    expect(derivedId('a', 'bc')).not.toBe(derivedId('ab', 'c'));
    expect(derivedId('sim', 3)).toMatch(UUID_RE);
  });
});
