/**
 * Loads an example project (examples/<name>/) as the body of `POST /projects` plus its LLM-simulator script.
 * See examples/README.md for the layout.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ScriptSpec } from '../apps/llm-simulator/src/script';

export const EXAMPLE_NAMES = ['text-utils', 'lru-cache', 'http-handler'] as const;
export type ExampleName = (typeof EXAMPLE_NAMES)[number];

export interface ExampleFile {
  path: string;
  content: string;
}

export interface ExampleBacklogItem {
  featureId: string;
  title: string;
  description: string;
  acceptanceCriteria: string[];
  tests: string[];
  skills: string[];
}

/** The body of `POST /projects` (createProjectBodySchema in project-management). */
export interface CreateProjectBodyJson {
  name: string;
  description: string;
  goals: string[];
  stack: 'python' | 'node';
  acceptance: { command: string; files: ExampleFile[] };
  scaffold: ExampleFile[];
  backlog: ExampleBacklogItem[];
}

export interface LoadedExample {
  name: string;
  /** The example's directory. */
  dir: string;
  body: CreateProjectBodyJson;
  /** The simulator script (examples/<name>/llm-script.json), for `createLlmSimulator({ script })`. */
  script: ScriptSpec;
  /** Its path, for `LLM_SIM_SCRIPT`. */
  scriptPath: string;
  /** The reference solution: the files that, added to the scaffold, pass the whole acceptance suite. */
  solution: ExampleFile[];
}

const SKIPPED = new Set(['__pycache__', '.pytest_cache', 'node_modules', '.git']);

/** Every file under dir (recursively, sorted by path), with paths relative to dir and '/' separators. */
export function readTree(dir: string): ExampleFile[] {
  const out: ExampleFile[] = [];
  const walk = (rel: string) => {
    const entries = readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (SKIPPED.has(e.name)) continue;
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ path: p, content: readFileSync(join(dir, p), 'utf8') });
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}

/**
 * The examples/ directory: this file's own directory when run from the sources (ts-jest), or the
 * repository's examples/ when run from the build (dist/examples/load-example.js).
 */
export function examplesDir(): string {
  let d = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, EXAMPLE_NAMES[0], 'project.json'))) return d;
    const sibling = join(d, 'examples');
    if (existsSync(join(sibling, EXAMPLE_NAMES[0], 'project.json'))) return sibling;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  throw new Error(`examples/ not found from ${__dirname}`);
}

export function loadExample(name: string, root: string = examplesDir()): LoadedExample {
  const dir = resolve(root, name);
  if (!existsSync(join(dir, 'project.json'))) throw new Error(`unknown example ${name} (no ${join(dir, 'project.json')})`);
  const project = JSON.parse(readFileSync(join(dir, 'project.json'), 'utf8')) as Omit<CreateProjectBodyJson, 'acceptance' | 'scaffold'> & {
    acceptance: { command: string };
  };
  const scriptPath = join(dir, 'llm-script.json');
  const body: CreateProjectBodyJson = {
    name: project.name,
    description: project.description,
    goals: project.goals,
    stack: project.stack,
    acceptance: { command: project.acceptance.command, files: readTree(join(dir, 'acceptance')) },
    scaffold: readTree(join(dir, 'scaffold')),
    backlog: project.backlog,
  };
  return {
    name,
    dir,
    body,
    script: JSON.parse(readFileSync(scriptPath, 'utf8')) as ScriptSpec,
    scriptPath,
    solution: readTree(join(dir, 'solution')),
  };
}

/** The shell command that runs one feature's acceptance tests (as run_tests does): the suite's command + the feature's tests. */
export function featureTestCommand(body: CreateProjectBodyJson, featureId: string): string {
  const item = body.backlog.find((b) => b.featureId === featureId);
  if (!item) throw new Error(`no feature ${featureId} in ${body.name}`);
  return [body.acceptance.command, ...item.tests].join(' ');
}
