import { randomUUID } from 'node:crypto';

/** A small, valid project as POST /projects takes it (a Python text-utilities library). */
export function aProjectBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'text-utils',
    description: 'A small Python library of text utilities',
    goals: ['slugify titles', 'count words'],
    stack: 'python',
    acceptance: {
      command: 'python3 -m pytest -q',
      files: [
        {
          path: 'tests/test_text.py',
          content: 'from textutils import slugify, word_count\n\ndef test_slugify():\n    assert slugify("Hello World") == "hello-world"\n\ndef test_word_count():\n    assert word_count("a b  c") == 3\n',
        },
      ],
    },
    backlog: [
      {
        featureId: 'slugify',
        title: 'Slugify',
        description: 'slugify(text) lower-cases and joins words with hyphens',
        acceptanceCriteria: ['"Hello World" becomes "hello-world"'],
        tests: ['tests/test_text.py::test_slugify'],
        skills: ['python'],
      },
      {
        featureId: 'word-count',
        title: 'Word count',
        description: 'word_count(text) counts whitespace-separated words',
        acceptanceCriteria: ['"a b  c" has 3 words'],
        tests: ['tests/test_text.py::test_word_count'],
        skills: ['python', 'testing'],
      },
    ],
    ...overrides,
  };
}

/** ProjectCreated data for deciders and projections (hashes stand in for stored files). */
export function aProjectCreated(overrides: Record<string, unknown> = {}) {
  const body = aProjectBody();
  const ref = (path: string) => ({ path, hash: 'a'.repeat(64), size: 10 });
  return {
    projectId: randomUUID(),
    name: body.name,
    description: body.description,
    goals: body.goals,
    stack: 'python' as const,
    acceptance: { command: body.acceptance.command, files: body.acceptance.files.map((f) => ref(f.path)) },
    scaffold: [],
    backlogSource: 'user' as 'user' | 'decomposition',
    backlog: body.backlog,
    ...overrides,
  };
}
