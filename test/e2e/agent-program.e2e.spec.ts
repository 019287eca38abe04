import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, RunningService, eventually, startService } from '@swe-sim/testing';
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
/** 30 calls at once (a barrier): the endpoint takes 1 in flight and 4 waiting, the rest are 429s. */
const FLOOD = `import json, os, sys, threading, urllib.error, urllib.request
codes, barrier = [], threading.Barrier(30)
def one():
    body = json.dumps({'model': 'any', 'messages': [{'role': 'user', 'content': 'ping'}]}).encode()
    request = urllib.request.Request(os.environ['OPENAI_BASE_URL'] + '/chat/completions', data=body, headers={'content-type': 'application/json'})
    barrier.wait()
    try:
        urllib.request.urlopen(request, timeout=60)
        codes.append(200)
    except urllib.error.HTTPError as e:
        codes.append(e.code)
threads = [threading.Thread(target=one) for _ in range(30)]
for t in threads: t.start()
for t in threads: t.join()
print('ANSWERED', codes.count(200), 'REFUSED', codes.count(429), 'OTHER', len(codes) - codes.count(200) - codes.count(429))
sys.exit(1)
`;
/** Waits, then asks the endpoint until it answers (agent-execution may be restarting), then writes the feature. */
const PATIENT = `import json, os, sys, time, urllib.error, urllib.request
time.sleep(3)
body = json.dumps({'model': 'any', 'messages': [{'role': 'user', 'content': 'ping'}]}).encode()
for attempt in range(120):
    try:
        request = urllib.request.Request(os.environ['OPENAI_BASE_URL'] + '/chat/completions', data=body, headers={'content-type': 'application/json'})
        answer = json.load(urllib.request.urlopen(request, timeout=60))['choices'][0]['message']['content']
        break
    except (urllib.error.URLError, ConnectionError):
        time.sleep(0.5)
else:
    sys.exit(2)
print('ANSWER', answer, 'after', attempt, 'refused connections')
os.makedirs('textutils', exist_ok=True)
with open('textutils/slug.py', 'w') as f:
    f.write("def slugify(text):\\n    return '-'.join(text.lower().split())\\n")
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
    await register('flood', { files: [{ path: 'flood.py', content: FLOOD }], command: 'python3 "$SWE_SIM_PROGRAM_DIR/flood.py"', stack: 'python', timeLimitSeconds: 30 });
    await register('hang', { files: [{ path: 'hang.sh', content: 'sleep 600\n' }], command: 'sh "$SWE_SIM_PROGRAM_DIR/hang.sh"', stack: 'python', timeLimitSeconds: 2 });
    await start('python', py, 'py-agent');
    await start('node', js, 'node-agent');
    await start('probe', py, 'probe');
    await start('hang', py, 'hang');
    await start('flood', py, 'flood');
    await start('budget', py, 'py-agent', { budgets: { maxTurnsPerTask: 1 } });
  }, 30_000);
  let restarted: RunningService | undefined;
  afterAll(async () => {
    await restarted?.kill();
    await stack?.stop();
  });

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

  it("a fork answers the program's calls from the original's recording; a fork whose roster changes the program runs it live", async () => {
    await ended['python'];
    const history = await stack.db.pool.query('SELECT type, global_position::int AS position FROM events WHERE simulation_id = $1 ORDER BY global_position', [sims['python']]);
    const at = history.rows.find((e: { type: string }) => e.type === 'AgentProgramRan').position;
    const agent = programs['py-agent'];
    const changedAgent = { ...agent, program: { ...agent.program, files: programs['probe'].program.files, command: programs['probe'].program.command } };
    const same = await stack.post(`/simulations/${sims['python']}/fork`, { atPosition: at });
    const changed = await stack.post(`/simulations/${sims['python']}/fork`, { atPosition: at, overrides: { roster: [changedAgent] } });
    expect([same.status, changed.status]).toEqual([201, 201]);
    const [sameSim] = await Promise.all([stack.waitFor(same.body.simulationId, finished, 40_000), stack.waitFor(changed.body.simulationId, finished, 40_000)]);
    expect(sameSim).toMatchObject({ status: 'completed', metrics: { featuresDone: 1 } });

    const of = async (simulationId: string, type: string) => (await stack.events(simulationId)).filter((e) => e.type === type).map((e) => e.data);
    const [sameRun] = await of(same.body.simulationId, 'AgentProgramRan');
    expect(sameRun).toMatchObject({ exitCode: 0, calls: 2 });
    const sameCalls = (await of(same.body.simulationId, 'LlmCallCompleted')).filter((c) => c.callKey.agentId === sameRun.agentId);
    expect(sameCalls.map((c) => c.replayedFrom)).toEqual([sims['python'], sims['python']]);

    const [changedRun] = await of(changed.body.simulationId, 'AgentProgramRan');
    expect(changedRun).toMatchObject({ exitCode: 1, calls: 1 });
    expect(changedRun.output).toContain('ENDPOINT pong');
    const changedCalls = (await of(changed.body.simulationId, 'LlmCallCompleted')).filter((c) => c.callKey.agentId === changedRun.agentId);
    expect(changedCalls.map((c) => c.replayedFrom ?? null)).toEqual([null]); // asked live: the original never asked this
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

  it('a program that floods its endpoint gets 429s beyond 1 in flight + 4 waiting; its answered calls are numbered without a gap', async () => {
    await ended['flood'];
    const [ran] = await ofType('flood', 'AgentProgramRan');
    const [, answered, refused, other] = /ANSWERED (\d+) REFUSED (\d+) OTHER (\d+)/.exec(ran.output)!.map(Number);
    expect(answered + refused).toBe(30);
    expect(other).toBe(0);
    expect(refused).toBeGreaterThan(0);
    expect(ran.calls).toBe(answered);
    const seqs = (await stack.events(sims['flood'])).filter((e) => e.type === 'LlmCallCompleted' && e.data.callKey.agentId === ran.agentId).map((e) => e.data.callKey.seq);
    expect(seqs.sort((a, b) => a - b)).toEqual([...Array(answered).keys()]);
    // The simulations beside it (started at the same moment) went on: the gateway serves simulations round robin.
    expect(await ended['python']).toMatchObject({ status: 'completed' });
  }, 55_000);

  it('agent-execution killed while a program runs: restarted, it serves the same run, which completes the feature', async () => {
    await register('patient', { files: [{ path: 'patient.py', content: PATIENT }], command: 'python3 "$SWE_SIM_PROGRAM_DIR/patient.py"', stack: 'python', timeLimitSeconds: 60 });
    await start('patient', projects.py, 'patient');
    const programCommand = (e: { type: string; data: any }) => e.type === 'CommandRequested' && String(e.data.cmd).includes('SWE_SIM_PROGRAM_SHA256');
    await eventually(async () => (await stack.events(sims['patient'])).some(programCommand), 30_000, 'the program run');
    await stack.services[2].kill('SIGKILL'); // the stack's agent-execution (services in their default order)
    restarted = await startService('agent-execution', stack.env);

    const sim = await ended['patient'];
    expect(sim).toMatchObject({ status: 'completed', metrics: { featuresDone: 1 } });
    const events = await stack.events(sims['patient']);
    expect(events.filter(programCommand)).toHaveLength(1); // the restarted task joined the run under way
    const [ran] = await ofType('patient', 'AgentProgramRan');
    expect(ran).toMatchObject({ run: 1, exitCode: 0, calls: 1 });
    expect(ran.output).toMatch(/ANSWER pong after \d+ refused connections/);
  }, 55_000);
});

