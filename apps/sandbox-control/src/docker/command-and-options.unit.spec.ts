import { parseCgroupCounters } from './cgroup-counters';
import { hardenedContainerOptions } from './hardened-container-options';
import { assertNoReservedLabels, isValidSandboxId, labelFilters } from './sandbox-labels';
import { DEFAULT_LIMITS } from './sandbox-types';
import { Semaphore } from './semaphore';
import { commandArgv, killGroupArgv, timeoutSeconds, timeoutWrappedArgv } from './timeout-command';
import { warmPoolKey } from './warm-pool';

describe('timeout command', () => {
  it('formats fractional seconds', () => {
    expect(timeoutSeconds(1500)).toBe('1.5');
    expect(timeoutSeconds(30_000)).toBe('30');
    expect(timeoutSeconds(1)).toBe('0.001');
    expect(() => timeoutSeconds(0)).toThrow();
    expect(() => timeoutSeconds(Number.NaN)).toThrow();
  });

  it('runs strings through sh -c and argv as is', () => {
    expect(commandArgv('echo $HOME')).toEqual(['/bin/sh', '-c', 'echo $HOME']);
    expect(commandArgv(['ls', '-l'])).toEqual(['ls', '-l']);
    expect(() => commandArgv([])).toThrow();
  });

  it('wraps the command under timeout -s KILL with the pid file', () => {
    const argv = timeoutWrappedArgv(['pytest', '-q'], 2500, '/tmp/p', 'swe-sim-exit:abc');
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(argv[2]).toContain('timeout --kill-after=1 -s KILL "$s" "$@" &');
    expect(argv[2]).toContain('\nkill -s KILL -- "-$g"');
    expect(argv[2]).toContain('printf "%s %s\\n" "$m" "$rc" >&2');
    expect(argv.slice(3)).toEqual(['swe-sim-exec', '/tmp/p', '2.5', 'swe-sim-exit:abc', 'pytest', '-q']);
    expect(killGroupArgv('/tmp/p').slice(-1)).toEqual(['/tmp/p']);
  });
});

describe('hardenedContainerOptions', () => {
  const opts = hardenedContainerOptions({
    name: 'swe-sim-sbx-x',
    image: 'img',
    labels: { 'swe-sim.managed': 'true' },
    limits: { ...DEFAULT_LIMITS, memoryBytes: 100 << 20 },
    workspace: { type: 'bind', hostPath: '/srv/ws' },
    env: { A: '1' },
  });
  const hc = opts.HostConfig!;

  it('sets every hardening knob', () => {
    expect(hc.NetworkMode).toBe('none');
    expect(hc.CapDrop).toEqual(['ALL']);
    expect(hc.SecurityOpt).toEqual(['no-new-privileges']);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Privileged).toBe(false);
    expect(hc.Init).toBe(true);
    expect(opts.User).toBe('1000:1000');
    expect(hc.Memory).toBe(100 << 20);
    expect(hc.MemorySwap).toBe(100 << 20);
    expect(hc.PidsLimit).toBe(DEFAULT_LIMITS.pidsLimit);
    expect(hc.NanoCpus).toBe(DEFAULT_LIMITS.nanoCpus);
    expect(hc.Tmpfs!['/tmp']).toContain(`size=${DEFAULT_LIMITS.tmpfsBytes}`);
    expect(hc.Runtime).toBeUndefined();
    expect(opts.Cmd).toEqual(['sleep', 'infinity']);
    expect(opts.Env).toEqual(['A=1']);
  });

  it('mounts only the workspace', () => {
    expect(hc.Mounts).toEqual([{ Type: 'bind', Source: '/srv/ws', Target: '/workspace', ReadOnly: false }]);
    expect(hc.Binds).toBeUndefined();
  });

  it('passes a runtime and refuses bad env names', () => {
    const withRuntime = hardenedContainerOptions({
      name: 'n', image: 'i', labels: {}, limits: DEFAULT_LIMITS, workspace: { type: 'volume', name: 'v' }, runtime: 'runsc',
    });
    expect(withRuntime.HostConfig!.Runtime).toBe('runsc');
    expect(withRuntime.HostConfig!.Mounts![0]!.Type).toBe('volume');
    expect(() =>
      hardenedContainerOptions({ name: 'n', image: 'i', labels: {}, limits: DEFAULT_LIMITS, workspace: { type: 'volume', name: 'v' }, env: { 'A=B': 'x' } }),
    ).toThrow();
  });
});

describe('labels', () => {
  it('validates sandbox ids as container-name-safe', () => {
    expect(isValidSandboxId('sbx-1_a.b')).toBe(true);
    for (const bad of ['', '../x', 'a/b', '-x', 'a b', 'x'.repeat(200)]) expect(isValidSandboxId(bad)).toBe(false);
  });
  it('refuses reserved label keys and builds filters', () => {
    expect(() => assertNoReservedLabels({ 'swe-sim.owner': 'x' })).toThrow();
    expect(() => assertNoReservedLabels({ team: 'a' })).not.toThrow();
    expect(labelFilters({ a: '1', b: undefined })).toEqual(['a=1']);
  });
});

describe('parseCgroupCounters', () => {
  it('reads cgroup v1 files', () => {
    expect(parseCgroupCounters('max 7\noom_kill_disable 0\nunder_oom 0\noom_kill 2\n')).toEqual({ pidsMax: 7, oomKill: 2 });
  });
  it('reads cgroup v2 files', () => {
    expect(parseCgroupCounters('max 0\nlow 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n')).toEqual({ pidsMax: 3, oomKill: 1 });
  });
  it('returns undefined for nothing', () => {
    expect(parseCgroupCounters('')).toBeUndefined();
  });
});

describe('Semaphore', () => {
  it('never lets more than `permits` run at once, in FIFO order', async () => {
    const s = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.run(async () => {
          order.push(i);
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual([...Array(20).keys()]);
    expect(s.inUse).toBe(0);
  });

  it('releases on failure', async () => {
    const s = new Semaphore(1);
    await expect(s.run(async () => { throw new Error('x'); })).rejects.toThrow('x');
    await expect(s.run(async () => 42)).resolves.toBe(42);
  });
});

describe('warmPoolKey', () => {
  it('differs when image, limits or runtime differ', () => {
    const k = warmPoolKey('a', DEFAULT_LIMITS, undefined);
    expect(warmPoolKey('a', { ...DEFAULT_LIMITS }, undefined)).toBe(k);
    expect(warmPoolKey('b', DEFAULT_LIMITS, undefined)).not.toBe(k);
    expect(warmPoolKey('a', { ...DEFAULT_LIMITS, pidsLimit: 1 }, undefined)).not.toBe(k);
    expect(warmPoolKey('a', DEFAULT_LIMITS, 'runsc')).not.toBe(k);
  });
});
