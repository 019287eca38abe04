import { randomBytes } from 'node:crypto';

/**
 * An engine instance id for a test's sandbox-control: `t<pid>-<name>-<random>`. The pid names the
 * test process, so a later test can tell the containers of a test that died (killed run, crashed
 * worker) from those of a live one, and remove them (see test/support/orphaned-test-sandboxes.ts).
 */
export function testInstanceId(name: string, pid = process.pid): string {
  return `t${pid}-${name}-${randomBytes(3).toString('hex')}`;
}

/** The test process that owns an instance id of testInstanceId's form, or undefined for any other id. */
export function testProcessOf(instanceId: string | undefined): number | undefined {
  const m = /^t(\d+)-/.exec(instanceId ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Whether a process of this pid exists (EPERM: it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
