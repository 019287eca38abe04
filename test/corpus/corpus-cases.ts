import type { ExampleName } from '../../examples/load-example';

/**
 * The replay corpus: recorded histories that today's code must re-execute identically
 * (replay-corpus.e2e). One per example, one with review rounds asking for changes and a merge
 * conflict, and a fork. Recorded by record-corpus.ts (npm run corpus:record).
 */
export interface CorpusCase {
  name: string;
  /** An example's name (its project and script), or `two-modules` (test/support's project). */
  project: ExampleName | 'two-modules';
  /** An example's name (its llm-script.json) or a script of test/fixtures/scripts. */
  script: ExampleName | string;
  /** The body of POST /projects/:id/simulations. */
  start?: Record<string, unknown>;
  /** A fork of another case's run (the same installation), at its first sprint's start. */
  fork?: { of: string; overrides: Record<string, unknown> };
  /** Store its ProjectCreated as version 1 wrote it: the corpus proves upcasting. */
  projectCreatedV1?: boolean;
}

export const CORPUS_CASES: readonly CorpusCase[] = [
  { name: 'text-utils', project: 'text-utils', script: 'text-utils', start: { seed: 42, teams: 1, teamSize: 3 }, projectCreatedV1: true },
  { name: 'text-utils-fork', project: 'text-utils', script: 'text-utils', fork: { of: 'text-utils', overrides: { models: { default: { sampling: { temperature: 0.9 } } } } } },
  { name: 'lru-cache', project: 'lru-cache', script: 'lru-cache', start: { seed: 7, teams: 1, teamSize: 3 } },
  { name: 'http-handler', project: 'http-handler', script: 'http-handler', start: { seed: 3, teams: 1, teamSize: 3 } },
  {
    name: 'review-conflict',
    project: 'two-modules',
    script: 'review-conflict.json',
    start: { seed: 5, teams: 1, teamSize: 2, process: { pairing: false, review: true } },
  },
];

export const corpusFile = (name: string) => `${name}.bundle.ndjson.gz`;
