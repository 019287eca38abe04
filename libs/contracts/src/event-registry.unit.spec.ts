import { z } from 'zod';
import { defineEvent } from './event-definition';
import { EventRegistry } from './event-registry';

// v1 had `name`; v2 split it into first/last; v3 added `tags`.
const PersonNamed = defineEvent({
  type: 'PersonNamed',
  version: 3,
  schema: z.object({ first: z.string(), last: z.string(), tags: z.array(z.string()) }).strict(),
  upcasters: {
    1: (d: { name: string }) => ({ first: d.name.split(' ')[0], last: d.name.split(' ').slice(1).join(' ') }),
    2: (d: { first: string; last: string }) => ({ ...d, tags: [] }),
  },
});

describe(EventRegistry.name, () => {
  const sut = new EventRegistry([PersonNamed]);

  it('upcasts data of every older version to the current one, step by step', () => {
    expect(sut.upcast('PersonNamed', 1, { name: 'Ada Lovelace' })).toEqual({ first: 'Ada', last: 'Lovelace', tags: [] });
    expect(sut.upcast('PersonNamed', 2, { first: 'Ada', last: 'L' })).toEqual({ first: 'Ada', last: 'L', tags: [] });
    expect(sut.upcast('PersonNamed', 3, { first: 'A', last: 'B', tags: ['x'] })).toEqual({ first: 'A', last: 'B', tags: ['x'] });
  });

  it('refuses data from a newer schema than the code knows', () => {
    expect(() => sut.upcast('PersonNamed', 4, {})).toThrow(expect.objectContaining({ code: 'EVENT_VERSION_UNSUPPORTED' }));
  });

  it('validates at the current version, naming the nested field', () => {
    expect(sut.validate('PersonNamed', { first: 'A', last: 'B', tags: [] })).toEqual({ data: { first: 'A', last: 'B', tags: [] }, version: 3 });
    expect(() => sut.validate('PersonNamed', { first: 'A', last: 'B', tags: [1] })).toThrow(
      expect.objectContaining({ code: 'EVENT_SCHEMA_INVALID', field: 'tags.0' }),
    );
    expect(() => sut.validate('Nope', {})).toThrow(expect.objectContaining({ code: 'EVENT_TYPE_UNKNOWN' }));
  });

  it('refuses a definition whose upcaster chain has a gap, and two definitions of one type', () => {
    expect(() =>
      defineEvent({ type: 'Gap', version: 3, schema: z.object({}), upcasters: { 1: (d: unknown) => d } }),
    ).toThrow(/v2→v3 missing/);
    const other = defineEvent({ type: 'PersonNamed', version: 1, schema: z.object({}) });
    expect(() => new EventRegistry([PersonNamed, other])).toThrow(/defined twice/);
  });
});
