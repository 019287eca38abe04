/**
 * The examples, for real: each body parses as `POST /projects` takes it; its acceptance suite fails on the
 * scaffold and passes with the reference solution in the sandbox image; and its simulator script, driven
 * through the agent protocol (driver tool calls executed here, tests run in the sandbox image), builds every
 * feature on the scaffold alone until its tests pass — text-utils' truncate only after a failing first attempt.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_ROSTER, STORY_POINTS } from '@swe-sim/contracts';
import { estimateMessages } from '../apps/agent-execution/src/planning/estimate.prompt';
import { Script, ScriptMessage } from '../apps/llm-simulator/src/script';
import { createProjectBodySchema } from '../apps/project-management/src/projects/create-project/create-project.handler';
import { CreateProjectBodyJson, EXAMPLE_NAMES, ExampleFile, LoadedExample, featureTestCommand, loadExample, readTree } from './load-example';

jest.setTimeout(90_000);

let images: Record<'python' | 'node', string>;
const workspaces: string[] = [];

beforeAll(() => {
  images = JSON.parse(execFileSync('bash', [join(__dirname, '..', 'sandbox-images', 'build.sh'), '--print-tags'], { encoding: 'utf8' }));
});
afterAll(() => {
  for (const w of workspaces) rmSync(w, { recursive: true, force: true });
});

/** A fresh workspace with these files, readable by the sandbox's non-root user. */
function workspace(files: ExampleFile[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'swe-sim-example-'));
  workspaces.push(dir);
  chmodSync(dir, 0o755);
  for (const f of files) writeInto(dir, f);
  return dir;
}

function writeInto(dir: string, f: ExampleFile): void {
  const target = join(dir, f.path);
  let d = dirname(target);
  const missing: string[] = [];
  while (d !== dir && !existsSync(d)) {
    missing.unshift(d);
    d = dirname(d);
  }
  for (const m of missing) {
    mkdirSync(m);
    chmodSync(m, 0o755);
  }
  writeFileSync(target, f.content);
  chmodSync(target, 0o644);
}

/** Runs a shell command in the stack's sandbox image, as the sandbox does: no network, workspace mounted. */
function runInSandbox(stack: 'python' | 'node', dir: string, command: string): Promise<{ passed: boolean; output: string }> {
  const args = ['run', '--rm', '--network', 'none', '-v', `${dir}:/workspace`, '-w', '/workspace', images[stack], 'sh', '-c', command];
  return new Promise((resolve) => {
    execFile('docker', args, { timeout: 60_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      resolve({ passed: !err, output: `${stdout}${stderr}` });
    });
  });
}

const examples: LoadedExample[] = EXAMPLE_NAMES.map((n) => loadExample(n));
const base = (body: CreateProjectBodyJson) => [...body.acceptance.files, ...body.scaffold];

interface DriverRun {
  turns: number;
  finished: boolean;
  results: Array<{ passed: boolean; output: string }>;
  /** Every write_file, in order. */
  writes: ExampleFile[];
  rules: string[];
  navigatorAdvice: string[];
}

/**
 * A driver's conversation under the protocol: the script answers as the LLM; write_file and run_tests are
 * executed against a workspace holding the acceptance suite and the scaffold only (the feature's branch);
 * after each test run the navigator (also scripted) adds advice as a user message.
 */
async function driveFeature(ex: LoadedExample, featureId: string, maxTurns = 12): Promise<DriverRun> {
  const script = new Script(ex.script);
  const item = ex.body.backlog.find((b) => b.featureId === featureId)!;
  const dir = workspace(base(ex.body));
  const persona = `You are Ada Lovelace, a senior engineer. You work on the ${ex.body.stack} project "${ex.body.name}".`;
  const messages: ScriptMessage[] & Array<Record<string, unknown>> = [
    { role: 'system', content: `${persona}\nYou are the driver in a pair building feature ${featureId}. Use the tools; call finish when the tests pass.` },
    { role: 'user', content: `Feature ${featureId}: ${item.title}\n${item.description}\n${item.acceptanceCriteria.map((c) => `- ${c}`).join('\n')}` },
  ];
  const run: DriverRun = { turns: 0, finished: false, results: [], writes: [], rules: [], navigatorAdvice: [] };
  while (run.turns < maxTurns && !run.finished) {
    run.turns++;
    const a = script.answer({ model: 'sim-model', messages, user: `sim:t agent:ada role:driver`, structured: false });
    run.rules.push(a.rule ?? '');
    const calls = a.toolCalls.map((c, i) => ({ id: `call-${run.turns}-${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    messages.push({ role: 'assistant', content: a.content, tool_calls: calls.length ? calls : null });
    if (calls.length === 0) {
      messages.push({ role: 'user', content: 'Use the tools to build the feature.' });
      continue;
    }
    let ranTests = false;
    for (const c of calls) {
      const args = JSON.parse(c.function.arguments) as Record<string, string>;
      let result: string;
      switch (c.function.name) {
        case 'write_file':
          writeInto(dir, { path: args.path, content: args.content });
          run.writes.push({ path: args.path, content: args.content });
          result = `wrote ${Buffer.byteLength(args.content)} bytes to ${args.path}`;
          break;
        case 'run_tests': {
          const r = await runInSandbox(ex.body.stack, dir, featureTestCommand(ex.body, featureId));
          run.results.push(r);
          result = `${r.passed ? 'TESTS PASSED' : 'TESTS FAILED'}\n${r.output}`;
          ranTests = true;
          break;
        }
        case 'finish':
          run.finished = true;
          result = 'finished';
          break;
        default:
          result = `unknown tool ${c.function.name}`;
      }
      messages.push({ role: 'tool', tool_call_id: c.id, content: result });
    }
    if (ranTests && !run.finished) {
      const nav = script.answer({
        model: 'sim-model',
        messages: [
          { role: 'system', content: `${persona}\nYou are the navigator in a pair building feature ${featureId}.` },
          { role: 'user', content: `The driver ran the tests:\n${String(messages[messages.length - 1].content)}\nAdvise the driver.` },
        ],
        user: 'sim:t agent:bob role:navigator',
        structured: false,
      });
      run.navigatorAdvice.push(nav.content ?? '');
      messages.push({ role: 'user', content: `Your navigator says: ${nav.content}` });
    }
  }
  return run;
}

/** The final content of each path written. */
const finalWrites = (writes: ExampleFile[]) => new Map(writes.map((w) => [w.path, w.content]));

describe.each(examples.map((e) => [e.name, e] as const))('example %s', (_name, ex) => {
  it('is a valid POST /projects body whose features and tests exist', () => {
    const parsed = createProjectBodySchema.safeParse(ex.body);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(ex.body.backlog.length).toBeGreaterThanOrEqual(2);
    const acceptancePaths = new Set(ex.body.acceptance.files.map((f) => f.path));
    for (const item of ex.body.backlog) {
      for (const t of item.tests) expect(acceptancePaths).toContain(t.split('::')[0]);
    }
    // the solution only adds to (or replaces) scaffold files; it never touches the acceptance suite
    for (const f of ex.solution) expect(acceptancePaths).not.toContain(f.path);
  });

  it('the script parses, and estimators, reviewers and navigators answer every feature', () => {
    const script = new Script(ex.script);
    const persona = DEFAULT_ROSTER[0];
    for (const item of ex.body.backlog) {
      const est = script.answer({
        model: 'sim-model',
        messages: estimateMessages(persona, { name: ex.body.name, stack: ex.body.stack }, { ...item }, 1, null, {}) as never,
        user: 'sim:t agent:a role:estimator',
        structured: true,
      });
      expect(est.rule).toBe(`estimate-${item.featureId}`);
      const vote = JSON.parse(est.content!) as { points: number; rationale: string };
      expect(STORY_POINTS).toContain(vote.points);
      expect(vote.rationale.length).toBeGreaterThan(0);

      const sys = { role: 'system', content: `You are a reviewer. You review feature ${item.featureId} of ${ex.body.name}.` };
      const rev = script.answer({ model: 'sim-model', messages: [sys, { role: 'user', content: 'diff…' }], user: 'role:reviewer', structured: true });
      expect(rev.rule).toBe(`review-${item.featureId}`);
      expect(JSON.parse(rev.content!)).toEqual({ verdict: 'approve', comments: expect.any(String) });

      const nav = script.answer({ model: 'sim-model', messages: [sys, { role: 'user', content: 'advise' }], user: 'role:navigator', structured: false });
      expect(nav.rule).toBe(`navigate-${item.featureId}`);
      expect(nav.content).not.toMatch(/TESTS (PASSED|FAILED)/);
      expect(nav.toolCalls).toEqual([]);
    }
  });

  it('the acceptance suite fails on the scaffold, every feature too, and passes with the reference solution', async () => {
    const scaffoldDir = workspace(base(ex.body));
    const solvedDir = workspace([...base(ex.body), ...ex.solution]);
    const [onScaffold, onSolution, ...perFeature] = await Promise.all([
      runInSandbox(ex.body.stack, scaffoldDir, ex.body.acceptance.command),
      runInSandbox(ex.body.stack, solvedDir, ex.body.acceptance.command),
      ...ex.body.backlog.map((b) => runInSandbox(ex.body.stack, scaffoldDir, featureTestCommand(ex.body, b.featureId))),
    ]);
    expect(onScaffold.passed).toBe(false);
    expect({ passed: onSolution.passed, output: onSolution.output }).toEqual({ passed: true, output: expect.any(String) });
    perFeature.forEach((r, i) => expect([ex.body.backlog[i].featureId, r.passed]).toEqual([ex.body.backlog[i].featureId, false]));
  });

  it('the scripted driver builds each feature on its own branch (scaffold only) until its tests pass', async () => {
    const runs = await Promise.all(ex.body.backlog.map((b) => driveFeature(ex, b.featureId)));
    const solution = new Map(ex.solution.map((f) => [f.path, f.content]));
    runs.forEach((run, i) => {
      const featureId = ex.body.backlog[i].featureId;
      const last = run.results[run.results.length - 1];
      expect({ featureId, finished: run.finished, lastPassed: last?.passed, output: last?.passed ? '' : last?.output }).toEqual({
        featureId,
        finished: true,
        lastPassed: true,
        output: '',
      });
      expect(run.rules[run.rules.length - 1]).toBe(`${featureId}-finish`);
      // the final attempt writes the reference solution's files, byte for byte
      for (const [path, content] of finalWrites(run.writes)) expect([path, content]).toEqual([path, solution.get(path)]);
      expect(run.navigatorAdvice.every((a) => a.length > 0)).toBe(true);
      const buggy = ex.name === 'text-utils' && featureId === 'truncate';
      if (buggy) {
        // first attempt: written, tested, failed; the driver reads the failure, names the failing test, fixes it
        expect(run.results.map((r) => r.passed)).toEqual([false, true]);
        expect(run.results[0].output).toMatch(/FAILED tests\/test_truncate\.py::test_result_never_exceeds_the_limit/);
        expect(run.rules).toEqual(['truncate-write', 'truncate-test', 'truncate-fix', 'truncate-test', 'truncate-finish']);
        expect(run.writes).toHaveLength(2);
        expect(run.writes[0].content).not.toEqual(run.writes[1].content);
      } else {
        expect(run.results.map((r) => r.passed)).toEqual([true]);
        expect(run.rules).toEqual([`${featureId}-write`, `${featureId}-test`, `${featureId}-finish`]);
      }
    });
  });
});

it('the buggy first attempt is really wrong (the limit test fails), and the fix message names the failing test', async () => {
  const ex = examples.find((e) => e.name === 'text-utils')!;
  const attempt = readTree(join(ex.dir, 'attempts', 'truncate')).map((f) => ({ path: `textutils/${f.path}`, content: f.content }));
  const r = await runInSandbox('python', workspace([...base(ex.body), ...attempt]), featureTestCommand(ex.body, 'truncate'));
  expect(r.passed).toBe(false);
  expect(r.output).toMatch(/test_result_never_exceeds_the_limit/);
  const script = new Script(ex.script);
  const messages = [
    { role: 'system', content: 'You are the driver of feature truncate.' },
    { role: 'user', content: 'go' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: 'run_tests', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'x', content: `TESTS FAILED\n${r.output}` },
  ];
  const fix = script.answer({ model: 'sim-model', messages, user: 'role:driver', structured: false });
  expect(fix.rule).toBe('truncate-fix');
  expect(fix.content).toMatch(/^tests\/test_truncate\.py::test_result_never_exceeds_the_limit failed/);
});
