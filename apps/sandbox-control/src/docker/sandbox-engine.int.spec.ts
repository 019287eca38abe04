import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SandboxEngine } from './sandbox-engine';
import { HostCgroups } from './host-cgroups';
import { SandboxError } from './sandbox-errors';
import { SandboxImageTags } from './sandbox-image-tags';
import { makeTempWorkspace, requireSandboxImages, startFailingImage, testRunId } from './sandbox-test-support';

const MiB = 1024 * 1024;

describe('SandboxEngine against a real Docker engine', () => {
  const runId = testRunId('engine-it');
  const docker = new Docker();
  let tags: SandboxImageTags;
  let engine: SandboxEngine;
  let workspace: string;
  const sandboxId = `${runId}-main`;

  beforeAll(async () => {
    tags = await requireSandboxImages(docker);
    workspace = await makeTempWorkspace(runId);
    engine = new SandboxEngine({ instanceId: runId, workspaceRoot: path.join(os.tmpdir(), `${runId}-ws`) });
    await engine.createSandbox({
      sandboxId,
      simulationId: `sim-${runId}`,
      image: tags.python,
      workspace: { type: 'bind', hostPath: workspace },
      limits: { memoryBytes: 128 * MiB, pidsLimit: 64, nanoCpus: 1_000_000_000 },
      env: { SPEC_VAR: 'from-spec' },
      labels: { 'test.run': runId },
    });
  });

  afterAll(async () => {
    if (engine) {
      await engine.reap(() => true, { owner: runId });
      await engine.close();
    }
    if (workspace) await fs.rm(workspace, { recursive: true, force: true });
    await fs.rm(path.join(os.tmpdir(), `${runId}-ws`), { recursive: true, force: true });
  });

  it('applies the hardened container configuration', async () => {
    const [c] = await engine.listManaged({ sandboxId });
    expect(c).toBeDefined();
    const info = await docker.getContainer(c!.containerId).inspect();
    const hc = info.HostConfig;
    expect(hc.NetworkMode).toBe('none');
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Memory).toBe(128 * MiB);
    expect(hc.MemorySwap).toBe(128 * MiB);
    expect(hc.PidsLimit).toBe(64);
    expect(hc.Init).toBe(true);
    expect(hc.Privileged).toBe(false);
    expect(info.Config.User).toBe('1000:1000');
    // The workspace is the only mount; in particular never the docker socket.
    expect(info.Mounts.map((m) => m.Destination)).toEqual(['/workspace']);
    expect(JSON.stringify(info.Mounts)).not.toContain('docker.sock');
    expect(c!.labels['swe-sim.simulation-id']).toBe(`sim-${runId}`);
    expect(c!.labels['swe-sim.owner']).toBe(runId);
  });

  it('runs as uid 1000 with no capabilities and no-new-privileges', async () => {
    const r = await engine.exec(sandboxId, 'id -u; id -g; grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^1000\n1000\n/);
    expect(r.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.stdout).toMatch(/CapPrm:\s+0000000000000000/);
    expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
  });

  it('separates stdout and stderr, passes exit codes, env and workdir', async () => {
    const r = await engine.exec(sandboxId, 'echo out; echo err >&2; echo "$SPEC_VAR $EXEC_VAR"; pwd; exit 3', {
      env: { EXEC_VAR: 'from-exec' },
    });
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('out\nfrom-spec from-exec\n/workspace\n');
    expect(r.stderr).toBe('err\n');
    expect(r.truncated).toBe(false);
    expect(r.timedOut).toBe(false);
    expect(r.oomKilled).toBe(false);
    const argv = await engine.exec(sandboxId, ['python3', '-c', 'import sys; print(sys.argv[1:])', 'a b', '$HOME'], { workdir: '/tmp' });
    expect(argv.stdout).toBe("['a b', '$HOME']\n");
  });

  it('knows the exit status when a process outside the command\'s group writes to stderr after it ended', async () => {
    // The wrapper's status line is then not the last output: Docker is asked instead.
    const r = await engine.exec(sandboxId, 'setsid sh -c "sleep 0.3; echo late >&2" & sleep 0.1; echo early >&2; exit 5');
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/^early\n(.|\n)*late\n$/);
    const plain = await engine.exec(sandboxId, 'echo done >&2; exit 7');
    expect(plain).toMatchObject({ exitCode: 7, stderr: 'done\n', stderrBytes: 5 });
  });

  it('lets only /workspace, /tmp and $HOME be written', async () => {
    const r = await engine.exec(
      sandboxId,
      'for f in /etc/x /usr/x /x /var/x; do if touch $f 2>/dev/null; then echo "wrote $f"; else echo "refused $f"; fi; done;' +
        'echo hi > /workspace/from-sandbox.txt && echo > /tmp/t && echo > $HOME/h && echo writable-ok',
    );
    expect(r.stdout).toContain('refused /etc/x');
    expect(r.stdout).toContain('refused /usr/x');
    expect(r.stdout).toContain('refused /x');
    expect(r.stdout).toContain('refused /var/x');
    expect(r.stdout).not.toContain('wrote');
    expect(r.stdout).toContain('writable-ok');
    const onHost = await fs.stat(path.join(workspace, 'from-sandbox.txt'));
    expect(onHost.uid).toBe(1000);
    expect(await fs.readFile(path.join(workspace, 'from-sandbox.txt'), 'utf8')).toBe('hi\n');
  });

  it('has no network: neither the host, its loopback, nor outside', async () => {
    const server = net.createServer((s) => s.end('hello')).listen(0, '0.0.0.0');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as net.AddressInfo).port;
    const hostIps = Object.values(os.networkInterfaces())
      .flat()
      .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4')
      .map((a) => a.address);
    const targets = [...new Set(['127.0.0.1', ...hostIps])].map((ip) => `${ip}:${port}`).concat(['1.1.1.1:80', '151.101.2.132:80']);
    try {
      const script = [
        'import socket, sys',
        'for t in sys.argv[1:]:',
        '    h, p = t.rsplit(":", 1)',
        '    try:',
        '        socket.create_connection((h, int(p)), timeout=2).close(); print("CONNECTED", t)',
        '    except OSError as e: print("failed", t, e.errno)',
        'print(open("/proc/net/dev").read())',
      ].join('\n');
      const r = await engine.exec(sandboxId, ['python3', '-c', script, ...targets], { timeoutMs: 20_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain('CONNECTED');
      expect(r.stdout.match(/^failed /gm)?.length).toBe(targets.length);
      // Only the loopback interface exists.
      const ifaces = r.stdout.split('\n').filter((l) => /^\s*\w+:/.test(l)).map((l) => l.trim().split(':')[0]);
      expect(ifaces).toEqual(['lo']);
    } finally {
      server.close();
    }
  });

  it('kills an infinite loop at the timeout and says so', async () => {
    const r = await engine.exec(sandboxId, 'while :; do :; done', { timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(137);
    expect(r.oomKilled).toBe(false);
    expect(r.durationMs).toBeGreaterThanOrEqual(1500);
    expect(r.durationMs).toBeLessThan(2500);
  });

  it('does not let background children hold a finished command open', async () => {
    const t0 = Date.now();
    const r = await engine.exec(sandboxId, 'sleep 300 & echo started', { timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('started\n');
    expect(Date.now() - t0).toBeLessThan(3000);
    const ps = await engine.exec(sandboxId, 'ps -eo args');
    expect(ps.stdout).not.toContain('sleep 300');
  });

  it('contains a fork bomb with the pids limit, reports it, and the sandbox survives', async () => {
    const t0 = Date.now();
    const r = await engine.exec(sandboxId, 'bomb() { bomb | bomb & bomb; }; bomb', { timeoutMs: 4000 });
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(r.pidsLimitHit).toBe(true);
    expect(r.exitCode).not.toBe(0);
    const after = await engine.exec(sandboxId, 'echo alive; ps -e --no-headers | wc -l');
    expect(after.exitCode).toBe(0);
    const [alive, count] = after.stdout.trim().split('\n');
    expect(alive).toBe('alive');
    expect(Number(count)).toBeLessThan(10); // init, sleep, this shell, ps, wc...
    expect(after.pidsLimitHit).toBe(false);
  });

  it('reads the limit counters of a local engine\'s container on the host, the same as inside it', async () => {
    const [c] = await engine.listManaged({ sandboxId });
    const onHost = await new HostCgroups().counters(c!.containerId);
    // Local engine and cgroups in sight here; elsewhere the engine asks inside the container instead.
    if (onHost === undefined) return;
    const r = await engine.exec(sandboxId, 'for i in $(seq 80); do sleep 5 & done 2>/dev/null; exit 1'); // over the limit of 64
    expect(r.pidsLimitHit).toBe(true);
    const after = (await new HostCgroups().counters(c!.containerId))!;
    expect(after.pidsMax).toBeGreaterThan(onHost.pidsMax);
    const inside = await engine.exec(sandboxId, 'cat /sys/fs/cgroup/pids/pids.events 2>/dev/null || cat /sys/fs/cgroup/pids.events');
    expect(after.pidsMax).toBe(Number(/max (\d+)/.exec(inside.stdout)![1]));
  });

  it('reports an OOM-killed command, and not a plain SIGKILL as OOM', async () => {
    const hog = await engine.exec(sandboxId, ['python3', '-c', 'b = bytearray(1024 * 1024 * 1024); print("survived")'], {
      timeoutMs: 20_000,
    });
    expect(hog.exitCode).toBe(137);
    expect(hog.oomKilled).toBe(true);
    expect(hog.timedOut).toBe(false);
    expect(hog.stdout).not.toContain('survived');

    const killed = await engine.exec(sandboxId, 'kill -KILL $$');
    expect(killed.exitCode).toBe(137);
    expect(killed.oomKilled).toBe(false);
    expect(killed.timedOut).toBe(false);
  });

  it('caps 100 MB of output without buffering it', async () => {
    const before = process.memoryUsage().rss;
    const r = await engine.exec(sandboxId, 'yes | head -c 100000000; yes e | head -c 3000000 >&2', {
      maxOutputBytes: MiB,
      timeoutMs: 30_000,
    });
    const growth = process.memoryUsage().rss - before;
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdoutBytes).toBe(100_000_000);
    expect(r.stderrBytes).toBe(3_000_000);
    expect(r.stdout.length).toBe(MiB);
    expect(r.stderr.length).toBe(MiB);
    expect(r.stdout.startsWith('y\ny\n')).toBe(true);
    expect(growth).toBeLessThan(50 * MiB);
  });

  it('aborts a command on the caller signal and kills it', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const t0 = Date.now();
    const r = await engine.exec(sandboxId, 'sleep 120; echo never', { signal: ac.signal, timeoutMs: 60_000 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.aborted).toBe(true);
    expect(r.stdout).not.toContain('never');
    const ps = await engine.exec(sandboxId, 'ps -eo args');
    expect(ps.stdout).not.toContain('sleep 120');
  });

  it('reports an already-aborted signal without running anything', async () => {
    const r = await engine.exec(sandboxId, 'touch /workspace/should-not-exist', { signal: AbortSignal.abort() });
    expect(r.aborted).toBe(true);
    expect(r.exitCode).toBeNull();
    await expect(fs.stat(path.join(workspace, 'should-not-exist'))).rejects.toThrow();
  });

  it('is reachable from another engine instance by sandbox id', async () => {
    const other = new SandboxEngine({ instanceId: `${runId}-other` });
    try {
      const r = await other.exec(sandboxId, 'cat /workspace/from-sandbox.txt');
      expect(r.stdout).toBe('hi\n');
    } finally {
      await other.close();
    }
  });

  it('bounds parallel creates and cleans up on destroy', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `${runId}-par-${i}`);
    const handles = await Promise.all(
      ids.map((id) =>
        engine.createSandbox({ sandboxId: id, simulationId: `sim-${runId}`, image: tags.base, workspace: { type: 'fresh' } }),
      ),
    );
    expect(new Set(handles.map((h) => h.containerId)).size).toBe(10);
    const r = await engine.exec(ids[3]!, 'echo ok');
    expect(r.stdout).toBe('ok\n');
    await Promise.all(ids.map((id) => engine.destroySandbox(id, { removeWorkspace: true })));
    expect(await engine.listManaged({ sandboxId: ids[3]! })).toEqual([]);
    await expect(fs.stat(handles[3]!.workspaceHostPath!)).rejects.toThrow();
    await expect(engine.exec(ids[3]!, 'true')).rejects.toMatchObject({ code: 'SANDBOX_NOT_FOUND' });
    await engine.destroySandbox(ids[3]!); // idempotent
  });

  it('with startInBackground, returns once the container exists; a command waits for the start', async () => {
    const id = `${runId}-bg`;
    const handle = await engine.createSandbox({ sandboxId: id, simulationId: `sim-${runId}`, image: tags.base, workspace: { type: 'fresh' }, startInBackground: true });
    const r = await engine.exec(id, 'echo started');
    expect(r).toMatchObject({ exitCode: 0, stdout: 'started\n' });
    await expect(handle.started).resolves.toBeUndefined();
    expect((await docker.getContainer(handle.containerId).inspect()).State.Running).toBe(true);
    await engine.destroySandbox(id, { removeWorkspace: true });
    expect(await engine.listManaged({ sandboxId: id })).toEqual([]);
  });

  it('with startInBackground, a start that fails rejects started, is the error of the command waiting, and leaves nothing behind', async () => {
    const image = await startFailingImage(tags.base);
    const id = `${runId}-bg-fails`;
    const handle = await engine.createSandbox({ sandboxId: id, simulationId: `sim-${runId}`, image, workspace: { type: 'fresh' }, startInBackground: true });
    const command = engine.exec(id, 'echo never');
    await expect(handle.started).rejects.toMatchObject({ code: 'SANDBOX_ENGINE_ERROR', message: expect.stringMatching(/starting sandbox .*home\/sandbox/) });
    await expect(command).rejects.toMatchObject({ code: 'SANDBOX_ENGINE_ERROR', message: expect.stringMatching(/starting sandbox/) });
    expect(await engine.listManaged({ sandboxId: id })).toEqual([]);
    await expect(fs.stat(handle.workspaceHostPath!)).rejects.toThrow();
    await expect(engine.haltSandbox(id)).resolves.toBe(false);
    await engine.destroySandbox(id); // idempotent
  });

  describe('haltSandbox', () => {
    const make = (suffix: string) =>
      engine.createSandbox({ sandboxId: `${runId}-halt-${suffix}`, simulationId: `sim-${runId}`, image: tags.base, workspace: { type: 'fresh' } });
    const paused = async (containerId: string) => (await docker.getContainer(containerId).inspect()).State.Paused;
    afterEach(async () => {
      for (const s of ['idle', 'leftover']) await engine.destroySandbox(`${runId}-halt-${s}`, { removeWorkspace: true });
    });

    it('leaves an idle sandbox (init and its sleep only) running where the host cgroup is readable, and refuses commands after', async () => {
      const h = await make('idle');
      await engine.exec(h.sandboxId, 'echo done > out.txt');
      const tasks = await new HostCgroups().taskCount(h.containerId);
      await expect(engine.haltSandbox(h.sandboxId)).resolves.toBe(true);
      // Readable here (a local engine): nothing to freeze. Elsewhere it falls back to docker pause.
      expect(await paused(h.containerId)).toBe(tasks === undefined);
      if (tasks !== undefined) expect(tasks).toBe(2);
      await expect(engine.exec(h.sandboxId, 'echo again > out.txt')).rejects.toMatchObject({ code: 'SANDBOX_GONE', how: 'halted', message: expect.stringMatching(/being destroyed/) });
      expect(await fs.readFile(path.join(h.workspaceHostPath!, 'out.txt'), 'utf8')).toBe('done\n');
    });

    it('freezes a sandbox where a process outlived its command', async () => {
      const h = await make('leftover');
      // setsid: out of the command's process group, so the wrapper does not kill it (once it got there: the sleep 0.2).
      await engine.exec(h.sandboxId, 'setsid sh -c "sleep 1; echo late > late.txt" > /dev/null 2>&1 & sleep 0.2');
      await expect(engine.haltSandbox(h.sandboxId)).resolves.toBe(true);
      expect(await paused(h.containerId)).toBe(true);
      await new Promise((r) => setTimeout(r, 1_500));
      await expect(fs.stat(path.join(h.workspaceHostPath!, 'late.txt'))).rejects.toThrow(); // frozen before it wrote
    });
  });

  it('refuses unsafe specs', async () => {
    const base = { simulationId: 's', image: tags.base };
    await expect(
      engine.createSandbox({ ...base, sandboxId: `${runId}-sock`, workspace: { type: 'bind', hostPath: '/var/run' } }),
    ).rejects.toBeInstanceOf(SandboxError);
    await expect(engine.createSandbox({ ...base, sandboxId: `${runId}-root`, workspace: { type: 'bind', hostPath: '/' } })).rejects.toMatchObject({
      code: 'SANDBOX_INVALID_SPEC',
    });
    await expect(engine.createSandbox({ ...base, sandboxId: '../x', workspace: { type: 'fresh' } })).rejects.toMatchObject({
      code: 'SANDBOX_INVALID_SPEC',
    });
    await expect(
      engine.createSandbox({ ...base, sandboxId: `${runId}-lbl`, workspace: { type: 'fresh' }, labels: { 'swe-sim.owner': 'forged' } }),
    ).rejects.toMatchObject({ code: 'SANDBOX_INVALID_SPEC' });
  });
});
