import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@swe-sim/testing';
import { SimulationStack, finished, startSimulationStack } from '../support/simulation-stack';

/**
 * Agent programs (issue 13) end to end: the four services as processes, real Postgres, real
 * Docker, the LLM simulator (agent-program.json). Every simulation starts at once in beforeAll,
 * one program persona each, and the tests read their histories.
 */
const pyProject = {
  name: 'py-utils',
  description: 'Text utilities',
  stack: 'python',
  acceptance: {
    command: 'python3 -m pytest -q -p no:cacheprovider',
    files: [{ path: 'tests/test_slug.py', content: 'from textutils.slug import slugify\n\ndef test_slugify():\n    assert slugify("Hello World") == "hello-world"\n' }],
  },
  scaffold: [{ path: 'textutils/__init__.py', content: '' }],
  backlog: [{ featureId: 'slugify', title: 'Slugify', description: 'slugify(text) joins the lower-cased words with hyphens', acceptanceCriteria: ['"Hello World" becomes "hello-world"'], tests: ['tests/test_slug.py'], skills: ['python'] }],
};
const jsProject = {
  ...pyProject,
  name: 'js-utils',
  stack: 'node',
  acceptance: {
    command: 'node --test',
    files: [{ path: 'tests/slug.test.js', content: "const test = require('node:test');\nconst assert = require('node:assert');\nconst { slugify } = require('../src/slug');\ntest('slugify', () => assert.strictEqual(slugify('Hello World'), 'hello-world'));\n" }],
  },
  scaffold: [{ path: 'package.json', content: '{ "name": "js-utils", "private": true }\n' }],
  backlog: [{ ...pyProject.backlog[0], tests: ['tests/slug.test.js'], skills: ['javascript'] }],
};

const persona = (personaId: string, skill: string) => ({ personaId, name: personaId, role: 'engineer', seniority: 'mid', skills: { [skill]: 4 } });
const pythonAgent = readFileSync(join(REPO_ROOT, 'examples/agent-programs/python/agent.py'), 'utf8');
const PROBE = `import json, os, socket, sys, urllib.request
for host, port in [('1.1.1.1', 53), ('8.8.8.8', 53), ('172.17.0.1', 2375)]:
    try:
        socket.create_connection((host, port), timeout=3).close()
        print('REACHED', host)
    except OSError as e:
        print('BLOCKED', host, type(e).__name__)
body = json.dumps({'model': 'any', 'messages': [{'role': 'user', 'content': 'ping'}]}).encode()
request = urllib.request.Request(os.environ['OPENAI_BASE_URL'] + '/chat/completions', data=body, headers={'content-type': 'application/json'})
print('ENDPOINT', json.load(urllib.request.urlopen(request, timeout=60))['choices'][0]['message']['content'])
sys.exit(1)
`;

describe('agent programs', () => {
  let stack: SimulationStack;
  const programs: Record<string, any> = {};
  const sims: Record<string, string> = {};
  const ended: Record<string, Promise<any>> = {};
  const projects: Record<string, string> = {};

  const register = async (id: string, body: Record<string, unknown>) => {
    const r = await stack.post('/agent-programs', { ...persona(id, 'python'), ...body });
    expect(r.status).toBe(201);
    programs[id] = r.body.persona;
  };
  const start = async (name: string, projectId: string, program: string, extra: Record<string, unknown> = {}) => {
    const r = await stack.post(`/projects/${projectId}/simulations`, { seed: 7, teams: 1, teamSize: 1, roster: [programs[program]], sprints: { max: 1 }, ...extra });
    expect(r.status).toBe(201);
    sims[name] = r.body.simulationId;
    ended[name] = stack.waitFor(r.body.simulationId, finished, 50_000);
    ended[name].catch(() => undefined); // awaited by its test
  };
  const ofType = async (name: string, type: string) => (await stack.events(sims[name])).filter((e) => e.type === type).map((e) => e.data);

  beforeAll(async () => {
    stack = await startSimulationStack('agent-program.json');
    const bundle = join(stack.env.SANDBOX_WORKSPACE_ROOT, 'agent.js');
    execFileSync(process.execPath, [join(REPO_ROOT, 'examples/agent-programs/node/bundle.mjs'), bundle]);
    const nodeAgent = readFileSync(bundle, 'utf8');
    const py = (projects.py = (await stack.post('/projects', pyProject)).body.projectId);
    const js = (projects.js = (await stack.post('/projects', jsProject)).body.projectId);
    await register('py-agent', { files: [{ path: 'agent.py', content: pythonAgent }], command: 'python3 "$SWE_SIM_PROGRAM_DIR/agent.py"', stack: 'python', timeLimitSeconds: 60 });
    await register('node-agent', { skills: { javascript: 4 }, files: [{ path: 'agent.js', content: nodeAgent }], command: 'node "$SWE_SIM_PROGRAM_DIR/agent.js"', stack: 'node', timeLimitSeconds: 60 });
    await register('probe', { files: [{ path: 'probe.py', content: PROBE }], command: 'python3 "$SWE_SIM_PROGRAM_DIR/probe.py"', stack: 'python', timeLimitSeconds: 30 });
    await register('hang', { files: [{ path: 'hang.sh', content: 'sleep 600\n' }], command: 'sh "$SWE_SIM_PROGRAM_DIR/hang.sh"', stack: 'python', timeLimitSeconds: 2 });
    await start('python', py, 'py-agent');
    await start('node', js, 'node-agent');
    await start('probe', py, 'probe');
    await start('hang', py, 'hang');
    await start('budget', py, 'py-agent', { budgets: { maxTurnsPerTask: 1 } });
  }, 30_000);
  afterAll(() => stack?.stop());

  it('refuses a bad registration naming the field, and an id taken', async () => {
    const base = { ...persona('bad-one', 'python'), files: [{ path: 'a.py', content: 'print(1)' }], command: 'python3 a.py', stack: 'python' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, files: [] }, 'files'],
      [{ ...base, files: [{ path: '../a.py', content: '' }] }, 'files.0.path'],
      [{ ...base, files: [{ path: 'a.py', content: 'x', base64: 'eA==' }] }, 'files.0'],
      [{ ...base, files: [{ path: 'a.py', content: 'x' }, { path: 'a.py', content: 'y' }] }, 'files'],
      [{ ...base, stack: 'cobol' }, 'stack'],
      [{ ...base, command: '' }, 'command'],
      [{ ...base, timeLimitSeconds: 0 }, 'timeLimitSeconds'],
      [{ ...base, program: {} }, 'program'],
    ];
    for (const [body, field] of cases) {
      const r = await stack.post('/agent-programs', body);
      expect({ status: r.status, code: r.body.error?.code, field: r.body.error?.field }).toEqual({ status: 400, code: 'VALIDATION_FAILED', field });
    }
    const taken = await stack.post('/agent-programs', { ...base, personaId: 'py-agent' });
    expect(taken).toMatchObject({ status: 409, body: { error: { code: 'PERSONA_EXISTS' } } });
    // A program goes through /agent-programs (its files become blobs), never POST /roster.
    const viaRoster = await stack.post('/roster', { ...persona('sneaky', 'python'), program: programs['probe'].program });
    expect(viaRoster).toMatchObject({ status: 400, body: { error: { field: 'program' } } });
    // At start: a program must fit the project's stack, and its files must be stored.
    const wrongStack = await stack.post(`/projects/${projects.js}/simulations`, { roster: [programs['py-agent']] });
    expect(wrongStack).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'roster.0.program.stack' } } });
    const unstored = { ...programs['probe'], personaId: 'ghost', program: { ...programs['probe'].program, files: [{ path: 'x.py', hash: 'f'.repeat(64), size: 1 }] } };
    const noBlob = await stack.post(`/projects/${projects.py}/simulations`, { roster: [programs['py-agent'], unstored] });
    expect(noBlob).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'roster.1.program.files.0' } } });
    // Listed in the roster, with its program.
    const roster: any = await (await fetch(`${stack.pm.url}/roster`)).json();
    expect(roster.items.find((p: any) => p.personaId === 'py-agent')).toMatchObject({ source: 'registered', program: { stack: 'python', timeLimitMs: 60_000 } });
  });

  it('the Python program completes a feature with its recorded calls, and its replay is identical', async () => {
    const sim = await ended['python'];
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: 1 } });
    const [started] = await ofType('python', 'AgentTaskStarted');
    expect(started).toMatchObject({ driver: 'py-agent', program: true });
    const [ran] = await ofType('python', 'AgentProgramRan');
    expect(ran).toMatchObject({ run: 1, exitCode: 0, timedOut: false, calls: 2 });
    const calls = (await stack.events(sims['python'])).filter((e) => e.type === 'LlmCallCompleted' && e.data.callKey.agentId === ran.agentId);
    expect(calls.map((c) => c.data.callKey.seq)).toEqual([0, 1]);
    expect(await ofType('python', 'BranchMerged')).toHaveLength(1);
    const [ended_] = await ofType('python', 'AgentTaskEnded');
    expect(ended_).toMatchObject({ outcome: 'done', turns: 2 });

    // Only the program's own sandbox has the endpoint folder (not the integration's candidate).
    const requested = await ofType('python', 'SandboxRequested');
    expect(requested.filter((r) => r.llmEndpoint).map((r) => r.ownerTaskId)).toEqual([started.taskId]);
    expect(requested.length).toBeGreaterThan(1);

    const replay = await stack.post(`/simulations/${sims['python']}/replay`, { waitMs: 40_000 });
    expect(replay).toMatchObject({ status: 200, body: { status: 'compared', identical: true, firstDivergence: null } });
    // The replay ran nothing, and asked the program's calls again in order, answered from the recording.
    const replayed = await stack.events(replay.body.replayId);
    expect(replayed.filter((e) => e.type === 'SandboxRequested' || e.type === 'CommandRequested')).toEqual([]);
    const answers = replayed.filter((e) => e.type === 'LlmCallCompleted' && e.data.callKey.agentId === ran.agentId);
    expect(answers.map((c) => [c.data.callKey.seq, c.data.replayedFrom])).toEqual([
      [0, sims['python']],
      [1, sims['python']],
    ]);
  }, 55_000);

  it('the Node program (the official openai client, bundled) completes a feature', async () => {
    const sim = await ended['node'];
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: 1 } });
    const [ran] = await ofType('node', 'AgentProgramRan');
    expect(ran).toMatchObject({ exitCode: 0, calls: 2 });
  }, 55_000);

  it('the sandbox reaches no address but its endpoint', async () => {
    await ended['probe'];
    const [ran] = await ofType('probe', 'AgentProgramRan');
    expect(ran.output).toContain('BLOCKED 1.1.1.1');
    expect(ran.output).toContain('BLOCKED 8.8.8.8');
    expect(ran.output).toContain('BLOCKED 172.17.0.1');
    expect(ran.output).not.toContain('REACHED');
    expect(ran.output).toContain('ENDPOINT pong');
    expect(ran).toMatchObject({ exitCode: 1, calls: 1 });
    const [end] = await ofType('probe', 'AgentTaskEnded');
    expect(end).toMatchObject({ outcome: 'abandoned', code: 'AGENT_FAILED' });
  }, 55_000);

  it('a program that hangs is killed at its limit, and recorded', async () => {
    await ended['hang'];
    const [ran] = await ofType('hang', 'AgentProgramRan');
    expect(ran).toMatchObject({ exitCode: 124, timedOut: true, calls: 0 });
    expect(ran.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(ran.durationMs).toBeLessThan(15_000);
    const [end] = await ofType('hang', 'AgentTaskEnded');
    expect(end).toMatchObject({ outcome: 'abandoned', code: 'AGENT_FAILED' });
  }, 55_000);

  it('a program over its budget is refused and the task ends BUDGET_EXHAUSTED', async () => {
    await ended['budget'];
    const [ran] = await ofType('budget', 'AgentProgramRan');
    expect(ran).toMatchObject({ exitCode: 3, calls: 1 });
    expect(ran.output).toContain('budget exhausted');
    const [end] = await ofType('budget', 'AgentTaskEnded');
    expect(end).toMatchObject({ outcome: 'abandoned', code: 'BUDGET_EXHAUSTED', turns: 1 });
  }, 55_000);
});
