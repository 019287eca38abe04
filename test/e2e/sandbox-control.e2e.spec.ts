import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CommandReply, FileReadReply, SandboxReply } from '@swe-sim/contracts';
import { eventually, testInstanceId } from '@swe-sim/testing';
import { rebuildWorkspace, WorkspaceScanner } from '../../apps/sandbox-control/src/sandbox/workspace-manifest';
import { failureOf, SandboxControlHarness } from '../support/sandbox-control-harness';

/** sandbox-control as its own process, real Postgres and Docker, driven through events only. */
describe('sandbox-control: sandboxes through events', () => {
  const runId = randomUUID().slice(0, 8);
  const teamId = 'team-a';
  let sc: SandboxControlHarness;

  const containersOf = async (sandboxId: string) => sc.engine.docker.listContainers({ all: true, filters: { name: [`^/swe-sim-sbx-${sandboxId}$`] } });
  /**
   * A release replies once nothing of the sandbox's runs: its container is frozen, or holds nothing
   * but its init and idle `sleep` (no command can enter it any more); the removal follows in the background.
   */
  const expectReleased = async (sandboxId: string) => {
    for (const c of await containersOf(sandboxId)) {
      if (c.State !== 'running') continue;
      const top = await sc.engine.docker
        .getContainer(c.Id)
        .top({ ps_args: '-o pid,comm' })
        .catch(async (err: unknown) => {
          // Stopped or removed meanwhile (404, 409, or a 500 "ttrpc: closed" from its task going away): fine.
          const running = await sc.engine.docker.getContainer(c.Id).inspect().then((i) => i.State.Running, () => false);
          if (!running) return { Processes: [] as string[][] };
          throw err;
        });
      expect((top.Processes ?? []).map((p: string[]) => p[1]).filter((comm: string) => comm !== 'docker-init' && comm !== 'sleep')).toEqual([]);
    }
    await eventually(async () => (await containersOf(sandboxId)).length === 0, 10_000, `container of ${sandboxId} removed`);
  };

  beforeAll(async () => {
    sc = await SandboxControlHarness.start({
      instanceId: testInstanceId('sc-e2e'),
      env: { SANDBOX_MAX_MEMORY_BYTES: String(1024 * 1024 * 1024) },
    });
  });

  afterAll(async () => {
    await sc?.stop();
  });

  it('creates a sandbox, writes a file, runs python and pytest, reads files back and releases it', async () => {
    const sandboxId = `e2e-${runId}-main`;
    const created = await sc.send<SandboxReply>('SandboxRequested', { sandboxId, teamId, image: 'python', limits: { memoryBytes: 256 * 1024 * 1024 } });
    expect(created).toMatchObject({ sandboxId, workspaceId: `${sc.simulationId}/${teamId}`, containerName: `swe-sim-sbx-${sandboxId}`, fromPool: false });
    expect(created.limits.memoryBytes).toBe(256 * 1024 * 1024);
    // The team's workspace is a git repository.
    await expect(fs.stat(path.join(sc.wsRoot, sc.simulationId, teamId, '.git'))).resolves.toBeDefined();

    const written = await sc.send<{ path: string; hash: string; size: number }>('FileWriteRequested', {
      sandboxId,
      path: './calc.py',
      content: 'def add(a, b):\n    return a + b\n',
    });
    expect(written).toMatchObject({ path: 'calc.py', size: 32 });
    await sc.send('FileWriteRequested', { sandboxId, path: 'tests/test_calc.py', content: 'from calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n' });

    const py = await sc.send<CommandReply>('CommandRequested', { sandboxId, cmd: ['python3', '-c', 'import calc; print(calc.add(40, 2)); open("out.txt", "w").write("made by a command\\n")'] });
    expect(py).toMatchObject({ exitCode: 0, stdout: '42\n', timedOut: false, oomKilled: false, truncated: false, changedFiles: 1 });

    const tests = await sc.send<CommandReply>('CommandRequested', { sandboxId, cmd: 'PYTHONPATH=. python3 -m pytest -q tests', timeoutMs: 60_000 });
    expect(tests.exitCode).toBe(0);
    expect(tests.stdout).toMatch(/1 passed/);
    expect(tests.changedFiles).toBe(0); // __pycache__ and .pytest_cache are not recorded

    const failing = await sc.send<CommandReply>('CommandRequested', { sandboxId, cmd: 'echo oops >&2; rm out.txt; exit 3' });
    expect(failing).toMatchObject({ exitCode: 3, stderr: 'oops\n', changedFiles: 1 });

    const read = await sc.send<FileReadReply>('FileReadRequested', { sandboxId, path: 'calc.py' });
    expect(read).toMatchObject({ content: 'def add(a, b):\n    return a + b\n', encoding: 'utf8', hash: written.hash });

    const big = await sc.send<CommandReply>('CommandRequested', { sandboxId, cmd: 'head -c 300000 /dev/zero | tr "\\0" x', maxOutputBytes: 100_000 });
    expect(big.truncated).toBe(true);
    expect(big.stdoutHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await sc.store.getBlob(big.stdoutHash!))!.length).toBe(100_000);

    // The facts beside the replies, in the sandbox's stream.
    const stream = await sc.store.readStream(`sandbox-${sandboxId}`);
    expect(stream.map((e) => e.type)).toEqual([
      'SandboxCreated',
      'FileWritten',
      'FileWritten',
      'CommandExecuted',
      'WorkspaceChanged',
      'CommandExecuted',
      'CommandExecuted',
      'WorkspaceChanged',
      'CommandExecuted',
    ]);
    expect(stream[4]!.data).toMatchObject({ files: [{ path: 'out.txt', hash: expect.any(String) }] });
    expect(stream[7]!.data).toMatchObject({ files: [{ path: 'out.txt', hash: null }] });
    expect(stream.every((e) => e.metadata.simulationId === sc.simulationId)).toBe(true);
    const blob = await sc.store.getBlob((stream[4]!.data as { files: Array<{ hash: string }> }).files[0]!.hash);
    expect(blob!.toString()).toBe('made by a command\n');

    expect(await containersOf(sandboxId)).toHaveLength(1);
    expect(await sc.send('SandboxReleased', { sandboxId })).toEqual({ sandboxId, destroyed: true });
    await expectReleased(sandboxId);
    expect(await sc.send('SandboxReleased', { sandboxId })).toEqual({ sandboxId, destroyed: true }); // idempotent
    await expect(failureOf(sc.send('CommandRequested', { sandboxId, cmd: 'true' }))).resolves.toMatchObject({ code: 'SANDBOX_DESTROYED' });
    const last = (await sc.store.readStream(`sandbox-${sandboxId}`)).pop()!;
    expect(last).toMatchObject({ type: 'SandboxDestroyed', data: { reason: 'released' } });
    // The team's workspace outlives the sandbox.
    await expect(fs.readFile(path.join(sc.wsRoot, sc.simulationId, teamId, 'calc.py'), 'utf8')).resolves.toContain('def add');
  });

  it('rebuilds the workspace from events alone, equal to the real folder', async () => {
    const sandboxId = `e2e-${runId}-rebuild`;
    await sc.send('SandboxRequested', { sandboxId, teamId, image: 'python' });
    await sc.send('FileWriteRequested', { sandboxId, path: 'pkg/a.py', content: 'A = 1\n' });
    await sc.send('CommandRequested', { sandboxId, cmd: 'mkdir -p pkg/sub && echo b > pkg/sub/b.txt && mv calc.py pkg/calc.py && printf "\\001\\002" > bin.dat' });
    await sc.send('FileWriteRequested', { sandboxId, path: 'pkg/a.py', content: 'A = 2\n' });
    await sc.send('CommandRequested', { sandboxId, cmd: 'rm -r tests && python3 -c "import compileall; compileall.compile_dir(\'pkg\', quiet=1)"' });
    await sc.send('SandboxReleased', { sandboxId });

    const events = await sc.store.readSimulation(sc.simulationId);
    const rebuilt = rebuildWorkspace(events as never, `${sc.simulationId}/${teamId}`);
    const real = await new WorkspaceScanner().scan(path.join(sc.wsRoot, sc.simulationId, teamId));
    expect(rebuilt).toEqual(new Map([...real].map(([p, f]) => [p, f.hash])));
    expect([...rebuilt.keys()].sort()).toEqual(['bin.dat', 'pkg/a.py', 'pkg/calc.py', 'pkg/sub/b.txt']);
    for (const hash of rebuilt.values()) expect(await sc.store.getBlob(hash)).not.toBeNull();
  });

  it('refuses hostile paths in the file API with a clear code', async () => {
    const sandboxId = `e2e-${runId}-hostile`;
    const passwdBefore = await fs.readFile('/etc/passwd', 'utf8');
    await sc.send('SandboxRequested', { sandboxId, teamId: 'team-h', image: 'python' });
    const refused = async (type: string, data: Record<string, unknown>) => failureOf(sc.send(type, { sandboxId, ...data }));
    for (const p of ['../../etc/passwd', '/etc/passwd', 'a/../../../etc/passwd']) {
      expect(await refused('FileReadRequested', { path: p })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
      expect(await refused('FileWriteRequested', { path: p, content: 'x' })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    }
    // Symlinks made by a command, pointing out of the workspace: to a file, to a directory, dangling.
    await sc.send('CommandRequested', { sandboxId, cmd: 'ln -s /etc/passwd leak && ln -s /etc etc && ln -s /root/nothing dangling' });
    expect(await refused('FileReadRequested', { path: 'leak' })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE', message: expect.stringMatching(/symlink/) });
    expect(await refused('FileReadRequested', { path: 'etc/passwd' })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    expect(await refused('FileWriteRequested', { path: 'etc/evil', content: 'x' })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    expect(await refused('FileWriteRequested', { path: 'leak', content: 'x' })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    expect(await refused('FileWriteRequested', { path: 'dangling', content: 'x' })).toMatchObject({ code: 'SANDBOX_PATH_OUTSIDE_WORKSPACE' });
    expect(await refused('FileReadRequested', { path: 'missing.txt' })).toMatchObject({ code: 'SANDBOX_FILE_NOT_FOUND' });
    expect(await refused('FileWriteRequested', { path: '.git/hooks/pre-commit', content: 'x' })).toMatchObject({ code: 'SANDBOX_PATH_INVALID' });
    // The host file was never touched and nothing was recorded for the refusals.
    expect(await fs.readFile('/etc/passwd', 'utf8')).toBe(passwdBefore);
    await expect(fs.stat('/etc/evil')).rejects.toMatchObject({ code: 'ENOENT' });
    const types = (await sc.store.readStream(`sandbox-${sandboxId}`)).map((e) => e.type);
    expect(types).toEqual(['SandboxCreated', 'CommandExecuted']);
    await sc.send('SandboxReleased', { sandboxId });
  });

  it('writes bytes put in the blob table by their hash, and refuses an unknown hash, both content and hash, and a released sandbox', async () => {
    const sandboxId = `e2e-${runId}-blob`;
    await sc.send('SandboxRequested', { sandboxId, teamId: 'team-b', image: 'python' });
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const hash = await sc.store.putBlob(bytes);
    expect(await sc.send('FileWriteRequested', { sandboxId, path: 'data/raw.bin', hash })).toEqual({ sandboxId, path: 'data/raw.bin', hash, size: 5 });
    await expect(fs.readFile(path.join(sc.wsRoot, sc.simulationId, 'team-b', 'data/raw.bin'))).resolves.toEqual(bytes);
    expect(await sc.send<FileReadReply>('FileReadRequested', { sandboxId, path: 'data/raw.bin' })).toMatchObject({ hash, size: 5, encoding: 'base64', content: bytes.toString('base64') });

    const unknown = 'f'.repeat(64);
    expect(await failureOf(sc.send('FileWriteRequested', { sandboxId, path: 'x.bin', hash: unknown }))).toMatchObject({ code: 'SANDBOX_BLOB_NOT_FOUND' });
    expect(await failureOf(sc.send('FileWriteRequested', { sandboxId, path: 'x.bin', hash, content: 'x' }))).toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    await expect(fs.stat(path.join(sc.wsRoot, sc.simulationId, 'team-b', 'x.bin'))).rejects.toMatchObject({ code: 'ENOENT' });

    await sc.send('SandboxReleased', { sandboxId });
    expect(await failureOf(sc.send('FileReadRequested', { sandboxId, path: 'data/raw.bin' }))).toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(await failureOf(sc.send('FileWriteRequested', { sandboxId, path: 'y.txt', content: 'y' }))).toMatchObject({ code: 'SANDBOX_DESTROYED' });
  });

  it('refuses an unknown image kind, invalid limits, limits over the maximum, and a request without a simulation', async () => {
    const sandboxId = `e2e-${runId}-refused`;
    // Invalid by contract: refused before anything is sent.
    expect(await failureOf(sc.send('SandboxRequested', { sandboxId, teamId, image: 'ruby' }))).toMatchObject({ code: 'EVENT_SCHEMA_INVALID', field: 'image' });
    expect(await failureOf(sc.send('SandboxRequested', { sandboxId, teamId, image: 'python', limits: { pidsLimit: -1 } }))).toMatchObject({
      code: 'EVENT_SCHEMA_INVALID',
      field: 'limits.pidsLimit',
    });
    expect(await failureOf(sc.send('SandboxRequested', { sandboxId, teamId, image: 'python', limits: { cpus: 2 } }))).toMatchObject({ code: 'EVENT_SCHEMA_INVALID' });
    // Valid by contract, over this service's maximum: refused by the service, recorded as SandboxFailed.
    const over = await failureOf(sc.send('SandboxRequested', { sandboxId, teamId, image: 'node', limits: { memoryBytes: 2 * 1024 * 1024 * 1024 } }));
    expect(over).toMatchObject({ code: 'SANDBOX_LIMITS_EXCEEDED', message: expect.stringMatching(/memoryBytes/) });
    const stream = await sc.store.readStream(`sandbox-${sandboxId}`);
    expect(stream.map((e) => [e.type, (e.data as { code?: string }).code])).toEqual([['SandboxFailed', 'SANDBOX_LIMITS_EXCEEDED']]);
    expect(await failureOf(sc.send('SandboxRequested', { sandboxId, teamId, image: 'python' }, { simulationId: null }))).toMatchObject({ code: 'SANDBOX_SIMULATION_REQUIRED' });
    expect(await containersOf(sandboxId)).toHaveLength(0);
    expect(await failureOf(sc.send('CommandRequested', { sandboxId, cmd: 'true' }))).toMatchObject({ code: 'SANDBOX_NOT_FOUND' });
  });

  it('answers a repeated request for the same sandbox with the same container, and a node sandbox works too', async () => {
    const sandboxId = `e2e-${runId}-node`;
    const spec = { sandboxId, teamId: 'team-n', image: 'node' };
    const [a, b] = await Promise.all([sc.send<SandboxReply>('SandboxRequested', spec), sc.send<SandboxReply>('SandboxRequested', spec)]);
    expect(b.containerName).toBe(a.containerName);
    expect(b).toEqual(a); // the repeat is answered from the recorded SandboxCreated, as the first was
    expect(await containersOf(sandboxId)).toHaveLength(1);
    expect((await sc.store.readStream(`sandbox-${sandboxId}`)).filter((e) => e.type === 'SandboxCreated')).toHaveLength(1);
    expect(await failureOf(sc.send('SandboxRequested', { ...spec, image: 'python' }))).toMatchObject({ code: 'SANDBOX_ALREADY_EXISTS' });
    const r = await sc.send<CommandReply>('CommandRequested', { sandboxId, cmd: ['node', '-e', 'console.log(6 * 7)'] });
    expect(r).toMatchObject({ exitCode: 0, stdout: '42\n' });
    await sc.send('SandboxReleased', { sandboxId });
    await expectReleased(sandboxId);
  });
});
