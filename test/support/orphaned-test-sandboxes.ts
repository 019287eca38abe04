import { processAlive, testProcessOf } from '@swe-sim/testing';
import { SandboxEngine } from '../../apps/sandbox-control/src/docker';

/**
 * Removes the sandbox containers of test processes that no longer exist (a killed or timed-out
 * run leaves its containers behind: they hold memory and slow every later Docker call). Only
 * owners of testInstanceId's form are judged; a live test's containers and a real installation's
 * are never touched.
 */
export async function reapOrphanedTestSandboxes(): Promise<string[]> {
  const engine = new SandboxEngine({ instanceId: 'test-orphan-reaper' });
  try {
    const reaped = await engine.reap((c) => {
      const pid = testProcessOf(c.owner);
      return pid !== undefined && !processAlive(pid);
    });
    return reaped.map((c) => c.containerId);
  } finally {
    await engine.close();
  }
}
