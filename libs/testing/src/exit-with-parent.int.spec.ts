import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { processAlive } from './test-instance';
import { eventually, REPO_ROOT } from './processes';

// Runs the compiled stand-in (npm test builds first), as a killed jest worker would leave it.
describe('exit-with-parent', () => {
  it('a process started by a test stops once that test process is SIGKILLed', async () => {
    const standIn = spawn(process.execPath, [join(REPO_ROOT, 'dist/test/fixtures/stand-in-test-process.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    standIn.stdout!.on('data', (d) => (out += d));
    const childPid = await eventually(() => (/^(\d+)\n/.exec(out) ? Number(/^(\d+)\n/.exec(out)![1]) : undefined), 15_000, 'child pid');
    await new Promise((r) => setTimeout(r, 1500));
    expect(processAlive(childPid)).toBe(true); // alive while its parent lives

    standIn.kill('SIGKILL');
    await eventually(() => !processAlive(childPid), 8_000, 'orphaned child gone');
  });
});
