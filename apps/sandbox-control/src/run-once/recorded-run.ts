import { CommandExecuted, EventData } from '@swe-sim/contracts';
import { SandboxEvent } from '../sandbox/sandbox.decider';

/**
 * How far a one-shot request (SandboxRunRequested) got, from the sandbox's stream alone — the
 * question a re-run asks before doing anything (the request may have been cut off by a crash at
 * any line, and recovery has run before it):
 * - `fresh`: nothing of this request, and the id is free (no stream, or only failed creations);
 * - `created`: its sandbox is live and no command of it is recorded. The command never started:
 *   one cut off by a crash left an open run row, and recovery destroys such a sandbox before any
 *   request is handled;
 * - `executed`: its command's result is recorded (the sandbox may still need destroying);
 * - `cut-off`: its sandbox was destroyed (recovery: interrupted; or lost) before a result was recorded;
 * - `taken`: the sandbox id belongs to another request (live or destroyed).
 */
export type RecordedRun =
  | { kind: 'fresh' }
  | { kind: 'created' }
  | { kind: 'executed'; executed: EventData<typeof CommandExecuted>; changedFiles: number; destroyed: boolean }
  | { kind: 'cut-off'; reason: string }
  | { kind: 'taken'; by: string; destroyed: boolean };

export function recordedRun(history: readonly SandboxEvent[], requestId: string): RecordedRun {
  let owner: string | null = null;
  let destroyed: string | null = null;
  let executed: EventData<typeof CommandExecuted> | null = null;
  let changedFiles = 0;
  let afterCommand = false;
  for (const event of history) {
    switch (event.type) {
      case 'SandboxCreated':
        owner = event.data.requestId;
        destroyed = null;
        break;
      case 'SandboxFailed':
        // Before SandboxCreated: a refused creation; after it, of the same request: its start failed. Either way the id is free again.
        if (owner === null || owner === event.data.requestId) owner = null;
        break;
      case 'CommandExecuted':
        afterCommand = event.data.requestId === requestId;
        if (afterCommand) executed = event.data;
        break;
      case 'WorkspaceChanged':
        // Those right after the command are its changes (with the ones the destroy found right
        // after, which its leftover processes made: a one-shot's destroy carries its request id too).
        if (afterCommand) changedFiles += event.data.files.length;
        break;
      case 'SandboxDestroyed':
        destroyed = event.data.reason;
        break;
      default:
        break;
    }
    if (event.type !== 'CommandExecuted' && event.type !== 'WorkspaceChanged') afterCommand = false;
  }
  if (owner === null) return { kind: 'fresh' };
  if (owner !== requestId) return { kind: 'taken', by: owner, destroyed: destroyed !== null };
  if (executed) return { kind: 'executed', executed, changedFiles, destroyed: destroyed !== null };
  if (destroyed !== null) return { kind: 'cut-off', reason: destroyed };
  return { kind: 'created' };
}
