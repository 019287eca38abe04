import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@swe-sim/testing';
import { SimulationStack, aCompletedSimulation, startSimulationStack } from '../support/simulation-stack';

/** Every entry of a folder (git's own files included) with a hash of its content, mode and owner. */
function folderState(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, p));
      const body = st.isSymbolicLink() ? readlinkSync(join(root, p)) : st.isFile() ? readFileSync(join(root, p)) : '';
      out.set(p, `${st.mode}:${st.uid}:${createHash('sha256').update(body).digest('hex')}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

/**
 * Issue 6: POST /simulations/:id/teams/:teamId/exec runs a command in a fresh sandbox on a
 * throwaway copy of the team's current workspace — after a real simulation: it sees the team's
 * files, changes nothing of the workspace or its recorded code, times out, refuses bad input, and
 * leaves no sandbox behind.
 */
describe('running a command on a team workspace', () => {
  let stack: SimulationStack;
  let simulationId: string;
  let repoFolder: string;

  const exec = async (teamId: string, body: unknown, sim = simulationId) => {
    const r = await fetch(`${stack.pm.url}/simulations/${sim}/teams/${teamId}/exec`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as any };
  };
  const get = async (path: string) => (await fetch(`${stack.pm.url}${path}`)).json() as Promise<any>;
  const copySandboxes = async () =>
    (await stack.db.pool.query(`SELECT data FROM events WHERE simulation_id = $1 AND type = 'SandboxCreated' AND data->>'workspaceId' LIKE 'copy/%'`, [simulationId])).rows.map(
      (r) => r.data,
    );

  beforeAll(async () => {
    stack = await startSimulationStack('simulation-complete.json');
    simulationId = await aCompletedSimulation(stack);
    repoFolder = join(stack.env.SANDBOX_WORKSPACE_ROOT, simulationId, 'repo');
  });
  afterAll(() => stack?.stop());

  it("shows the team's current files, for the team and for the repository", async () => {
    const ls = await exec('team-1', { cmd: 'ls -a && git log --oneline | wc -l' });
    expect(ls.status).toBe(200);
    expect(ls.body).toMatchObject({ exitCode: 0, timedOut: false, oomKilled: false, truncated: false, stderr: '' });
    expect(ls.body.stdout.split('\n')).toEqual(expect.arrayContaining(['textutils', 'tests', '.git']));
    expect(Number(ls.body.stdout.trim().split('\n').at(-1))).toBeGreaterThan(1); // the repository's history came along
    expect(ls.body.durationMs).toBeGreaterThanOrEqual(0);

    const cat = await exec('repo', { cmd: ['cat', 'textutils/slug.py'] }); // an argv: no shell
    expect(cat.body).toMatchObject({ exitCode: 0 });
    expect(cat.body.stdout).toBe(readFileSync(join(repoFolder, 'textutils/slug.py'), 'utf8'));
    expect(cat.body.stdout).toContain("'-'.join(text.lower().split())");

    const tests = await exec('team-1', { cmd: 'python3 -m pytest -q -p no:cacheprovider 2>&1 | tail -1' });
    expect(tests.body.stdout).toMatch(/2 passed/);
  });

  it('changes nothing of the workspace, its folder or its recorded code, whatever the command does', async () => {
    const workspaceBefore = await get(`/simulations/${simulationId}/workspace`);
    const folderBefore = folderState(repoFolder);
    const simBefore = await get(`/simulations/${simulationId}`);
    const hostile = await exec('team-1', {
      cmd: 'echo hacked > textutils/slug.py; touch NEW_FILE; rm -rf tests; git add -A && git -c user.email=x@y -c user.name=x commit -qm gone; echo "$(id -u)" && echo a | tr a-z A-Z',
    });
    expect(hostile.body).toMatchObject({ exitCode: 0, stdout: '1000\nA\n' });
    // The next exec gets a fresh copy of the workspace as it is: none of that is there.
    const after = await exec('team-1', { cmd: 'cat textutils/slug.py; ls NEW_FILE' });
    expect(after.body.stdout).toContain("'-'.join(text.lower().split())");
    expect(after.body.exitCode).not.toBe(0);

    // (Its position moved on: the exec's own sandbox events are in the simulation's history.)
    expect((await get(`/simulations/${simulationId}/workspace`)).files).toEqual(workspaceBefore.files);
    expect(folderState(repoFolder)).toEqual(folderBefore);
    // (wallTimeMs is left out: GET /simulations/:id counts it to the simulation's last event of any kind, which the exec's are.)
    const metrics = (m: any) => ({ ...m, wallTimeMs: undefined });
    expect(metrics((await get(`/simulations/${simulationId}`)).metrics)).toEqual(metrics(simBefore.metrics));
    // Nothing recorded as a change of any workspace by those sandboxes.
    const ids = (await copySandboxes()).map((c) => c.sandboxId);
    const changed = await stack.db.pool.query(`SELECT 1 FROM events WHERE type IN ('WorkspaceChanged', 'FileWritten') AND data->>'sandboxId' = ANY($1::text[])`, [ids]);
    expect(changed.rowCount).toBe(0);
  });

  it('reports a command that outlives its time-out as timed out', async () => {
    const slow = await exec('team-1', { cmd: 'sleep 5; echo done', timeoutMs: 1000 });
    expect(slow.status).toBe(200);
    expect(slow.body).toMatchObject({ timedOut: true, oomKilled: false });
    expect(slow.body.stdout).not.toContain('done');
    expect(slow.body.durationMs).toBeLessThan(4000);
  });

  it('refuses unknown teams and simulations, and bad bodies, naming the field', async () => {
    expect(await exec('team-9', { cmd: 'ls' })).toMatchObject({ status: 404, body: { error: { code: 'TEAM_NOT_FOUND' } } });
    expect(await exec('team-1', { cmd: 'ls' }, '00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, body: { error: { code: 'SIMULATION_NOT_FOUND' } } });
    expect(await exec('bad$team', { cmd: 'ls' })).toMatchObject({ status: 400, body: { error: { field: 'teamId' } } });
    expect(await exec('team-1', {})).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'cmd' } } });
    expect(await exec('team-1', { cmd: 'x'.repeat(20_000) })).toMatchObject({ status: 400, body: { error: { field: 'cmd' } } });
    expect(await exec('team-1', { cmd: ['echo', 'x'.repeat(20_000)] })).toMatchObject({ status: 400, body: { error: { field: 'cmd.1' } } });
    expect(await exec('team-1', { cmd: 'ls', timeoutMs: 10_000_000 })).toMatchObject({ status: 400, body: { error: { field: 'timeoutMs' } } });
    expect(await exec('team-1', { cmd: 'ls', image: 'alpine' })).toMatchObject({ status: 400, body: { error: { field: 'image' } } });
    expect(await exec('team-1', { cmd: 'ls', privileged: true })).toMatchObject({ status: 400, body: { error: { field: 'privileged' } } });
    expect(await exec('team-1', '{"cmd":')).toMatchObject({ status: 400, body: { error: { code: 'MALFORMED_JSON' } } });
  });

  it('leaves no sandbox and no copy behind', async () => {
    const copies = await copySandboxes();
    expect(copies.length).toBe(6); // one per exec that got past validation
    expect(copies.every((c) => c.teamId === 'repo' && c.copyOf === `${simulationId}/repo` && c.workspaceId === `copy/${c.sandboxId}`)).toBe(true);
    const destroyed = await stack.db.pool.query(`SELECT data FROM events WHERE type = 'SandboxDestroyed' AND data->>'sandboxId' = ANY($1::text[])`, [copies.map((c) => c.sandboxId)]);
    expect(destroyed.rows.map((r) => r.data.reason)).toEqual(copies.map(() => 'released'));
    await eventually(
      () => execFileSync('docker', ['ps', '-aq', '--filter', `label=swe-sim.simulation-id=${simulationId}`], { encoding: 'utf8' }).trim() === '',
      20_000,
      'containers removed',
    );
    const scratch = join(stack.env.SANDBOX_WORKSPACE_ROOT, '.scratch');
    await eventually(() => !existsSync(scratch) || readdirSync(scratch).every((n) => !n.includes('~copy')), 20_000, 'copies removed');
  });
});
