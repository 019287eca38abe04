import { randomUUID } from 'node:crypto';
import { aSandboxCreated } from './sandbox-events.builders';
import { SandboxRequestError } from './sandbox.errors';
import { decideSandbox, evolveSandbox, initialSandboxState, MAX_CHANGES_PER_EVENT, SandboxCommand, SandboxEvent } from './sandbox.decider';

const sandboxId = 'sbx-1';
const h = (c: string) => c.repeat(64);
const created = (requestId = randomUUID()): SandboxEvent => aSandboxCreated(sandboxId, requestId);
const destroyed = (reason: 'released' | 'expired' = 'released'): SandboxEvent => ({ type: 'SandboxDestroyed', data: { sandboxId, reason, requestId: null } });
const executed = (requestId = randomUUID()) => ({
  sandboxId,
  requestId,
  exitCode: 0,
  stdout: 'ok\n',
  stderr: '',
  stdoutBytes: 3,
  stderrBytes: 0,
  truncated: false,
  durationMs: 12,
  timedOut: false,
  oomKilled: false,
  pidsLimitHit: false,
});

const given = (events: SandboxEvent[]) => ({
  when: (command: SandboxCommand) => () => decideSandbox(command, events.reduce(evolveSandbox, initialSandboxState)),
});
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(SandboxRequestError);
    return (err as SandboxRequestError).code;
  }
  throw new Error('expected a refusal');
};

describe('sandbox decider', () => {
  it('given nothing, when RecordCreated, then SandboxCreated', () => {
    const e = created();
    expect(given([]).when({ type: 'RecordCreated', data: e.data as never })()).toEqual([e]);
  });

  it('given SandboxCreated, when the same request is recorded again, then nothing (idempotent)', () => {
    const e = created();
    expect(given([e]).when({ type: 'RecordCreated', data: e.data as never })()).toEqual([]);
  });

  it('given SandboxCreated, when another request creates the same id, then SANDBOX_ALREADY_EXISTS', () => {
    const other = created();
    expect(codeOf(given([created()]).when({ type: 'RecordCreated', data: other.data as never }))).toBe('SANDBOX_ALREADY_EXISTS');
  });

  it('given SandboxFailed, when RecordCreated, then SandboxCreated (a failed request does not burn the id)', () => {
    const failed: SandboxEvent = { type: 'SandboxFailed', data: { sandboxId, requestId: randomUUID(), code: 'SANDBOX_LIMITS_EXCEEDED', reason: 'too much' } };
    const e = created();
    expect(given([failed]).when({ type: 'RecordCreated', data: e.data as never })()).toEqual([e]);
  });

  describe('a container that does not start after SandboxCreated was recorded', () => {
    const startFailed = (requestId: string) => ({ sandboxId, requestId, code: 'SANDBOX_ENGINE_ERROR', reason: 'tmpfs mount failed' });

    it('given SandboxCreated, when RecordStartFailed for its request, then SandboxFailed, and commands are refused naming the failure', () => {
      const e = created();
      const events = given([e]).when({ type: 'RecordStartFailed', data: startFailed(e.data.requestId as string) })();
      expect(events).toEqual([{ type: 'SandboxFailed', data: startFailed(e.data.requestId as string) }]);
      const after = given([e, ...events]).when({ type: 'RecordCommand', executed: executed(), workspaceId: 'w', changes: [] });
      expect(codeOf(after)).toBe('SANDBOX_NOT_FOUND');
      expect(after).toThrow(/failed: tmpfs mount failed/);
    });

    it('given SandboxCreated then SandboxFailed, when RecordCreated again, then SandboxCreated (the id can be used again)', () => {
      const e = created();
      const again = created();
      const failed: SandboxEvent = { type: 'SandboxFailed', data: startFailed(e.data.requestId as string) };
      expect(given([e, failed]).when({ type: 'RecordCreated', data: again.data as never })()).toEqual([again]);
    });

    it('given SandboxCreated, when RecordStartFailed for another request, then nothing (a live sandbox stays live)', () => {
      const e = created();
      expect(given([e]).when({ type: 'RecordStartFailed', data: startFailed(randomUUID()) })()).toEqual([]);
      const stray: SandboxEvent = { type: 'SandboxFailed', data: startFailed(randomUUID()) };
      expect([e, stray].reduce(evolveSandbox, initialSandboxState).status).toBe('created');
    });

    it('given SandboxCreated then SandboxDestroyed, when RecordStartFailed, then nothing (already gone)', () => {
      const e = created();
      expect(given([e, destroyed()]).when({ type: 'RecordStartFailed', data: startFailed(e.data.requestId as string) })()).toEqual([]);
    });
  });

  it('given nothing, when a command is recorded, then SANDBOX_NOT_FOUND', () => {
    expect(codeOf(given([]).when({ type: 'RecordCommand', executed: executed(), workspaceId: 'w', changes: [] }))).toBe('SANDBOX_NOT_FOUND');
  });

  it('given a live sandbox, when RecordCommand with changes, then CommandExecuted and WorkspaceChanged (split past the size cap)', () => {
    const x = executed();
    const changes = Array.from({ length: MAX_CHANGES_PER_EVENT + 1 }, (_, i) => ({ path: `f${i}`, hash: h('a') }));
    const events = given([created()]).when({ type: 'RecordCommand', executed: x, workspaceId: 'sim/team-a', changes })();
    expect(events.map((e) => e.type)).toEqual(['CommandExecuted', 'WorkspaceChanged', 'WorkspaceChanged']);
    expect(events[0]).toEqual({ type: 'CommandExecuted', data: x });
    expect((events[1].data as { files: unknown[] }).files).toHaveLength(MAX_CHANGES_PER_EVENT);
    expect(events[2].data).toEqual({ sandboxId, workspaceId: 'sim/team-a', requestId: x.requestId, files: [{ path: `f${MAX_CHANGES_PER_EVENT}`, hash: h('a') }] });
  });

  it('given a live sandbox, when RecordCommand without changes, then only CommandExecuted', () => {
    expect(given([created()]).when({ type: 'RecordCommand', executed: executed(), workspaceId: 'w', changes: [] })().map((e) => e.type)).toEqual(['CommandExecuted']);
  });

  it('given a live sandbox, when RecordCommand thenDestroy (a one-shot run), then its facts and SandboxDestroyed in one append; destroyed, refused', () => {
    const x = executed();
    const events = given([created()]).when({ type: 'RecordCommand', executed: x, workspaceId: 'w', changes: [{ path: 'a', hash: h('a') }], thenDestroy: 'released' })();
    expect(events.map((e) => e.type)).toEqual(['CommandExecuted', 'WorkspaceChanged', 'SandboxDestroyed']);
    expect(events[2].data).toEqual({ sandboxId, reason: 'released', requestId: x.requestId });
    expect(events.reduce(evolveSandbox, evolveSandbox(initialSandboxState, created())).status).toBe('destroyed');
    expect(codeOf(given([created(), destroyed()]).when({ type: 'RecordCommand', executed: x, workspaceId: 'w', changes: [], thenDestroy: 'released' }))).toBe('SANDBOX_DESTROYED');
  });

  it('given a destroyed sandbox, when a file write is recorded, then SANDBOX_DESTROYED', () => {
    const write = { sandboxId, workspaceId: 'w', requestId: randomUUID(), path: 'a.py', hash: h('b'), size: 1 };
    expect(codeOf(given([created(), destroyed()]).when({ type: 'RecordFileWrite', data: write }))).toBe('SANDBOX_DESTROYED');
    expect(given([created()]).when({ type: 'RecordFileWrite', data: write })()).toEqual([{ type: 'FileWritten', data: write }]);
  });

  it('given a live sandbox, when Destroy twice, then SandboxDestroyed once', () => {
    const first = given([created()]).when({ type: 'Destroy', sandboxId, reason: 'released', requestId: null })();
    expect(first).toEqual([destroyed()]);
    expect(given([created(), ...first]).when({ type: 'Destroy', sandboxId, reason: 'expired', requestId: null })()).toEqual([]);
  });

  it('given nothing, when Destroy, then SANDBOX_NOT_FOUND', () => {
    expect(codeOf(given([]).when({ type: 'Destroy', sandboxId, reason: 'released', requestId: null }))).toBe('SANDBOX_NOT_FOUND');
  });

  it('given a destroyed sandbox, when a crashed command’s changes are recorded, then WorkspaceChanged', () => {
    const events = given([created(), destroyed('expired')]).when({ type: 'RecordWorkspaceChange', sandboxId, workspaceId: 'w', requestId: null, changes: [{ path: 'x', hash: null }] })();
    expect(events).toEqual([{ type: 'WorkspaceChanged', data: { sandboxId, workspaceId: 'w', requestId: null, files: [{ path: 'x', hash: null }] } }]);
  });

  it('folds to the state the handlers read', () => {
    const c = created();
    const state = [c, destroyed('expired')].reduce(evolveSandbox, initialSandboxState);
    expect(state).toMatchObject({ status: 'destroyed', reason: 'expired', requestId: (c.data as { requestId: string }).requestId, engine: 'default' });
  });
});
