import { BACKLOG_JSON_SCHEMA, backlogAnswerSchema, checkDecomposedBacklog } from './backlog-rules';

const SUITE = ['tests/test_slugify.py', 'tests/test_count.py'];
const feature = (featureId: string, tests: string[]) => ({ featureId, title: featureId, description: '', acceptanceCriteria: [], tests, skills: ['python'] });

describe('checkDecomposedBacklog', () => {
  it('accepts features that split the acceptance files between them, each file to exactly one feature', () => {
    expect(checkDecomposedBacklog([feature('slugify', ['tests/test_slugify.py']), feature('count', ['tests/test_count.py'])], SUITE)).toBeNull();
    expect(checkDecomposedBacklog([feature('all', [...SUITE])], SUITE)).toBeNull();
  });

  it('refuses a test that is not an acceptance test file', () => {
    const problem = checkDecomposedBacklog([feature('slugify', ['tests/test_slugify.py']), feature('count', ['tests/test_count.py', 'tests/test_missing.py'])], SUITE);
    expect(problem).toContain('"tests/test_missing.py", which is not an acceptance test file');
  });

  it('refuses a file claimed by two features', () => {
    const problem = checkDecomposedBacklog([feature('a', [...SUITE]), feature('b', ['tests/test_count.py'])], SUITE);
    expect(problem).toContain('"tests/test_count.py" is claimed by both "a" and "b"');
  });

  it('refuses a backlog that leaves an acceptance file to no feature', () => {
    expect(checkDecomposedBacklog([feature('slugify', ['tests/test_slugify.py'])], SUITE)).toContain('no feature covers the acceptance test file(s) "tests/test_count.py"');
  });

  it('refuses duplicate feature ids, and reports every broken rule at once', () => {
    const problem = checkDecomposedBacklog([feature('x', ['tests/test_slugify.py']), feature('x', ['nope.py'])], SUITE)!;
    expect(problem.split('; ')).toEqual([
      'featureId "x" is used by more than one feature',
      expect.stringContaining('"nope.py", which is not an acceptance test file'),
      'no feature covers the acceptance test file(s) "tests/test_count.py"',
    ]);
  });
});

describe('backlogAnswerSchema', () => {
  it('takes features shaped as backlog items', () => {
    expect(backlogAnswerSchema.safeParse({ features: [feature('slugify', ['tests/test_slugify.py'])] }).success).toBe(true);
  });

  it.each([
    ['no features', { features: [] }],
    ['a feature without tests', { features: [feature('slugify', [])] }],
    ['an id that is not a slug', { features: [feature('Slug ify!', ['tests/test_slugify.py'])] }],
    ['an unknown field', { features: [{ ...feature('slugify', ['tests/test_slugify.py']), points: 3 }] }],
    ['a missing title', { features: [{ ...feature('slugify', ['tests/test_slugify.py']), title: undefined }] }],
  ])('refuses %s', (_name, answer) => {
    expect(backlogAnswerSchema.safeParse(answer).success).toBe(false);
  });

  it('asks the server for the same fields the schema checks', () => {
    const item = (BACKLOG_JSON_SCHEMA.properties.features.items as { required: string[] }).required;
    expect(item.sort()).toEqual(['acceptanceCriteria', 'description', 'featureId', 'skills', 'tests', 'title']);
  });
});
