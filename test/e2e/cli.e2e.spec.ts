import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, RunningService, freePort, startService } from '@swe-sim/testing';
import { SimulationStack, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/** Issue 12: the built `swe-sim` CLI as a process against the services: its outputs and exit codes. */
describe('swe-sim CLI', () => {
  const bin = join(REPO_ROOT, 'dist/apps/cli/src/main.js');
  let stack: SimulationStack;
  let folder: string;

  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: { ...process.env, SWE_SIM_URL: stack.pm.url, SWE_SIM_API_KEY: '', ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as any).code ?? 1) : 0, stdout, stderr }),
      );
    });
  const api = async (path: string) => (await (await fetch(`${stack.pm.url}${path}`)).json()) as any;

  let projectId: string;
  let simulationId: string;

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
    // A project folder laid out like examples/<name>: project.json, acceptance/ and scaffold/.
    folder = mkdtempSync(join(tmpdir(), 'swe-sim-cli-'));
    const { acceptance, scaffold, ...project } = twoModuleProject() as ReturnType<typeof twoModuleProject> & { scaffold: { path: string; content: string }[] };
    writeFileSync(join(folder, 'project.json'), JSON.stringify({ ...project, acceptance: { command: acceptance.command } }));
    for (const [dir, files] of [['acceptance', acceptance.files], ['scaffold', scaffold]] as const) {
      for (const f of files) {
        mkdirSync(dirname(join(folder, dir, f.path)), { recursive: true });
        writeFileSync(join(folder, dir, f.path), f.content);
      }
    }
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('creates a project from a folder and simulates it to completion with --watch (exit 0)', async () => {
    const created = await cli(['projects', 'create', folder, '--json']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    projectId = JSON.parse(created.stdout).projectId;
    const project = await api(`/projects/${projectId}`);
    expect(project).toMatchObject({ name: 'text-utils', backlogStatus: 'ready' });
    expect((await cli(['projects', 'list'])).stdout).toContain(projectId);

    const run = await cli(['simulate', projectId, '--seed', '11', '--teams', '1', '--team-size', '3', '--set', 'process.pairing=true', '--set', 'process.review=true', '--set', 'process.swapEveryTurns=2', '--watch']);
    expect(run.code).toBe(0);
    simulationId = /simulation ([0-9a-f-]{36})/.exec(run.stdout)![1];
    // The demo's lines: the team and why, the sprint, each feature done, the summary.
    expect(run.stdout).toMatch(/Sprint 1 started — 2 features/);
    expect(run.stdout).toMatch(/✔ \S+ done/);
    expect(run.stdout.trim().split('\n').pop()).toBe('completed: 2/2 features, 2/2 acceptance tests passed');
    const formed = (await stack.events(simulationId)).find((e) => e.type === 'TeamFormed')!;
    expect(run.stdout).toContain(formed.data.members[0].reason);
  }, 60_000);

  it('status, export and replay answer like the API; --json is machine-readable', async () => {
    const status = await cli(['status', simulationId, '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(await api(`/simulations/${simulationId}`));
    expect((await cli(['status', simulationId])).stdout).toMatch(/completed\nfeatures 2\/2/);

    const chat = await cli(['export', simulationId, '--format', 'chat']);
    const fromApi = await (await fetch(`${stack.pm.url}/simulations/${simulationId}/export?format=chat`)).text();
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe(fromApi);
    expect(chat.stdout.trim().split('\n').length).toBeGreaterThan(3);
    const events = await cli(['export', simulationId, '--format', 'events']);
    // The API exports in commit order, which under load can differ from position order: compare with the API itself.
    const eventsFromApi = await (await fetch(`${stack.pm.url}/simulations/${simulationId}/export?format=events`)).text();
    expect(events.stdout).toBe(eventsFromApi);
    expect(events.stdout.trim().split('\n').map((l) => JSON.parse(l).type).sort()).toEqual((await stack.events(simulationId)).map((e) => e.type).sort());

    const replay = await cli(['replay', simulationId]);
    expect(replay).toMatchObject({ code: 0 });
    expect(replay.stdout).toMatch(/^replay [0-9a-f-]{36}: identical \(\d+ events in \d+ streams\)/);
  }, 60_000);

  it('forks with --set, and a cancelled fork watched ends with exit 1', async () => {
    const history = await api(`/simulations/${simulationId}/events?limit=1000`);
    const cut = history.items[Math.floor(history.items.length / 2)].position;
    const forked = await cli(['fork', simulationId, '--at', String(cut), '--set', 'models.default.sampling.temperature=0.9', '--json']);
    expect(forked.code).toBe(0);
    const fork = JSON.parse(forked.stdout);
    expect(fork.forkOf).toEqual({ simulationId, atPosition: cut });
    expect((await stack.events(fork.simulationId))[0].data.config.models.default.sampling.temperature).toBe(0.9);
    expect(await cli(['cancel', fork.simulationId, '--reason', 'cli test'])).toMatchObject({ code: 0 });
    const watched = await cli(['watch', fork.simulationId]);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(/^cancelled: /m);
  }, 60_000);

  it('exit codes: 2 usage, 3 refused, 4 key problem, 5 unreachable', async () => {
    expect((await cli(['fork', simulationId])).code).toBe(2);
    expect((await cli(['fork', simulationId, '--at', 'x'])).code).toBe(2);
    expect((await cli(['projects', 'create', '/nowhere/project.json'])).code).toBe(2);
    expect((await cli(['export', simulationId, '--format', 'csv'])).code).toBe(2);
    expect((await cli(['frobnicate'])).code).toBe(2);

    const ended = await cli(['cancel', simulationId, '--json']);
    expect(ended.code).toBe(3);
    expect(JSON.parse(ended.stderr)).toMatchObject({ error: { status: 409, code: 'SIMULATION_ENDED' } });
    const unknown = await cli(['status', '00000000-0000-4000-8000-000000000000']);
    expect(unknown).toMatchObject({ code: 3 });
    expect(unknown.stderr).toMatch(/SIMULATION_NOT_FOUND/);

    expect((await cli(['status', simulationId], { SWE_SIM_URL: `http://127.0.0.1:${await freePort()}` })).code).toBe(5);

    // Last: a bootstrap key closes the API on this database for every instance.
    const key = `cli-${process.pid}-${Date.now()}`;
    let keyed: RunningService | undefined;
    try {
      keyed = await startService('project-management', { ...stack.env, SWE_SIM_API_KEY: key });
      const without = await cli(['status', simulationId], { SWE_SIM_URL: keyed.url });
      expect(without.code).toBe(4);
      expect(without.stderr).toMatch(/UNAUTHENTICATED.*SWE_SIM_API_KEY/);
      expect((await cli(['status', simulationId, '--api-key', 'wrong'], { SWE_SIM_URL: keyed.url })).code).toBe(4);
      expect((await cli(['status', simulationId], { SWE_SIM_URL: keyed.url, SWE_SIM_API_KEY: key })).code).toBe(0);
    } finally {
      await keyed?.kill();
    }
  }, 60_000);
});
