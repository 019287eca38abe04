import { randomUUID } from 'node:crypto';
import { aSandboxCreated } from '../sandbox/sandbox-events.builders';
import { SandboxEvent } from '../sandbox/sandbox.decider';
import { recordedRun } from './recorded-run';

const sandboxId = 'sbx-1';
const me = randomUUID();
const created = (requestId = me): SandboxEvent => aSandboxCreated(sandboxId, requestId);
const failed = (requestId = me): SandboxEvent => ({ type: 'SandboxFailed', data: { sandboxId, requestId, code: 'SANDBOX_ENGINE_ERROR', reason: 'no start' } });
const executed = (requestId = me): SandboxEvent => ({
  type: 'CommandExecuted',
  data: {
    sandboxId, requestId, exitCode: 0, stdout: 'ok\n', stderr: '', stdoutBytes: 3, stderrBytes: 0,
    truncated: false, durationMs: 12, timedOut: false, oomKilled: false, pidsLimitHit: false,
  },
});
const changed = (n: number, requestId: string | null = me): SandboxEvent => ({
  type: 'WorkspaceChanged',
  data: { sandboxId, workspaceId: 'sim/team-a', requestId, files: Array.from({ length: n }, (_, i) => ({ path: `f${i}`, hash: 'a'.repeat(64) })) },
});
const destroyed = (reason: 'released' | 'interrupted' | 'lost', requestId: string | null = me): SandboxEvent => ({
  type: 'SandboxDestroyed',
  data: { sandboxId, reason, requestId },
});

describe(recordedRun.name, () => {
  it('is fresh with no stream, or only failed creations (a refused request, a start that failed)', () => {
    expect(recordedRun([], me)).toEqual({ kind: 'fresh' });
    expect(recordedRun([failed()], me)).toEqual({ kind: 'fresh' });
    expect(recordedRun([created(), failed()], me)).toEqual({ kind: 'fresh' });
  });

  it('is created when its sandbox is live and no command of it is recorded', () => {
    expect(recordedRun([created()], me)).toEqual({ kind: 'created' });
  });

  it('is executed with the recorded result and the files changed with it, destroyed or not yet', () => {
    const run = executed();
    expect(recordedRun([created(), run, changed(2)], me)).toEqual({ kind: 'executed', executed: run.data, changedFiles: 2, destroyed: false });
    expect(recordedRun([created(), run, changed(2), destroyed('released')], me)).toMatchObject({ kind: 'executed', changedFiles: 2, destroyed: true });
    expect(recordedRun([created(), run, destroyed('released')], me)).toMatchObject({ kind: 'executed', changedFiles: 0, destroyed: true });
  });

  it('does not count changes recorded before the command', () => {
    expect(recordedRun([created(), changed(3, null), executed(), destroyed('released')], me)).toMatchObject({ kind: 'executed', changedFiles: 0 });
  });

  it('is cut off when its sandbox was destroyed before a result was recorded', () => {
    expect(recordedRun([created(), changed(1), destroyed('interrupted')], me)).toEqual({ kind: 'cut-off', reason: 'interrupted' });
    expect(recordedRun([created(), destroyed('lost', null)], me)).toEqual({ kind: 'cut-off', reason: 'lost' });
  });

  it('is taken when another request made the sandbox, live or destroyed', () => {
    const other = randomUUID();
    expect(recordedRun([created(other)], me)).toEqual({ kind: 'taken', by: other, destroyed: false });
    expect(recordedRun([created(other), executed(other), destroyed('released', other)], me)).toEqual({ kind: 'taken', by: other, destroyed: true });
    expect(recordedRun([failed(other), created(other)], me)).toMatchObject({ kind: 'taken', by: other });
  });
});
