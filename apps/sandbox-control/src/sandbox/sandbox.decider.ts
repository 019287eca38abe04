import {
  CommandExecuted,
  EventData,
  FileWritten,
  SandboxCreated,
  SandboxDestroyed,
  SandboxFailed,
  WorkspaceChanged,
} from '@swe-sim/contracts';
import { Decider } from '@swe-sim/event-store';
import { SandboxRequestError } from './sandbox.errors';

/** The sandbox aggregate (stream sandbox-<id>): pure decide/evolve; effects happen around it. */
export type SandboxEvent =
  | { type: 'SandboxCreated'; data: EventData<typeof SandboxCreated> }
  | { type: 'SandboxFailed'; data: EventData<typeof SandboxFailed> }
  | { type: 'CommandExecuted'; data: EventData<typeof CommandExecuted> }
  | { type: 'FileWritten'; data: EventData<typeof FileWritten> }
  | { type: 'WorkspaceChanged'; data: EventData<typeof WorkspaceChanged> }
  | { type: 'SandboxDestroyed'; data: EventData<typeof SandboxDestroyed> };

export type FileChange = EventData<typeof WorkspaceChanged>['files'][number];
export type DestroyReason = EventData<typeof SandboxDestroyed>['reason'];

export type SandboxCommand =
  | { type: 'RecordCreated'; data: EventData<typeof SandboxCreated> }
  | { type: 'RecordFailed'; data: EventData<typeof SandboxFailed> }
  /** The container of a recorded SandboxCreated did not start (it is started after the reply). */
  | { type: 'RecordStartFailed'; data: EventData<typeof SandboxFailed> }
  /** With `thenDestroy`: the sandbox was halted after the command (a one-shot run), and is destroyed in the same append. */
  | { type: 'RecordCommand'; executed: EventData<typeof CommandExecuted>; workspaceId: string; changes: FileChange[]; thenDestroy?: DestroyReason }
  | { type: 'RecordFileWrite'; data: EventData<typeof FileWritten> }
  | { type: 'RecordWorkspaceChange'; sandboxId: string; workspaceId: string; requestId: string | null; changes: FileChange[] }
  | { type: 'Destroy'; sandboxId: string; reason: DestroyReason; requestId: string | null };

export interface LiveSandbox {
  sandboxId: string;
  requestId: string;
  simulationId: string;
  teamId: string | null;
  workspaceId: string;
  imageKind: string;
  engine: string;
  containerName: string;
  expiresAt: string;
}

export type SandboxState =
  | { status: 'none' }
  | { status: 'failed'; code: string; reason: string }
  | ({ status: 'created' } & LiveSandbox)
  | ({ status: 'destroyed'; reason: DestroyReason } & LiveSandbox);

export const initialSandboxState: SandboxState = { status: 'none' };

/** Most entries per WorkspaceChanged event (events have a size cap); more become several events. */
export const MAX_CHANGES_PER_EVENT = 1_000;

/** The sandbox exists and can be used, or a SandboxRequestError saying why not. */
export function assertLive(state: SandboxState, sandboxId: string): Extract<SandboxState, { status: 'created' }> {
  switch (state.status) {
    case 'created':
      return state;
    case 'destroyed':
      throw new SandboxRequestError('SANDBOX_DESTROYED', `sandbox ${sandboxId} was destroyed (${state.reason})`, { sandboxId, reason: state.reason });
    case 'none':
      throw new SandboxRequestError('SANDBOX_NOT_FOUND', `sandbox ${sandboxId} does not exist`, { sandboxId });
    case 'failed':
      throw new SandboxRequestError('SANDBOX_NOT_FOUND', `sandbox ${sandboxId} does not exist (it failed: ${state.reason})`, { sandboxId });
    default: {
      const unhandled: never = state;
      return unhandled;
    }
  }
}

export function decideSandbox(command: SandboxCommand, state: SandboxState): SandboxEvent[] {
  switch (command.type) {
    case 'RecordCreated': {
      if (state.status === 'none' || state.status === 'failed') return [{ type: 'SandboxCreated', data: command.data }];
      if (state.status === 'created' && state.requestId === command.data.requestId) return []; // the same request, again
      if (state.status === 'destroyed') assertLive(state, command.data.sandboxId);
      throw new SandboxRequestError('SANDBOX_ALREADY_EXISTS', `sandbox ${command.data.sandboxId} already exists`, { sandboxId: command.data.sandboxId });
    }
    case 'RecordFailed': {
      if (state.status === 'none' || state.status === 'failed') return [{ type: 'SandboxFailed', data: command.data }];
      if (state.status === 'destroyed') assertLive(state, command.data.sandboxId);
      throw new SandboxRequestError('SANDBOX_ALREADY_EXISTS', `sandbox ${command.data.sandboxId} already exists`, { sandboxId: command.data.sandboxId });
    }
    case 'RecordStartFailed':
      // Only the creation it belongs to fails; destroyed meanwhile (or failed already): nothing to add.
      return state.status === 'created' && state.requestId === command.data.requestId ? [{ type: 'SandboxFailed', data: command.data }] : [];
    case 'RecordCommand': {
      const live = assertLive(state, command.executed.sandboxId);
      const { requestId } = command.executed;
      return [
        { type: 'CommandExecuted', data: command.executed },
        ...changeEvents(live.sandboxId, command.workspaceId, requestId, command.changes),
        ...(command.thenDestroy ? [{ type: 'SandboxDestroyed' as const, data: { sandboxId: live.sandboxId, reason: command.thenDestroy, requestId } }] : []),
      ];
    }
    case 'RecordFileWrite':
      assertLive(state, command.data.sandboxId);
      return [{ type: 'FileWritten', data: command.data }];
    case 'RecordWorkspaceChange':
      // Also after a destroy: a crashed command's last changes are recorded on recovery.
      if (state.status !== 'created' && state.status !== 'destroyed') assertLive(state, command.sandboxId);
      return changeEvents(command.sandboxId, command.workspaceId, command.requestId, command.changes);
    case 'Destroy':
      if (state.status === 'destroyed') return []; // idempotent
      assertLive(state, command.sandboxId);
      return [{ type: 'SandboxDestroyed', data: { sandboxId: command.sandboxId, reason: command.reason, requestId: command.requestId } }];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

function changeEvents(sandboxId: string, workspaceId: string, requestId: string | null, changes: FileChange[]): SandboxEvent[] {
  const events: SandboxEvent[] = [];
  for (let i = 0; i < changes.length; i += MAX_CHANGES_PER_EVENT) {
    events.push({ type: 'WorkspaceChanged', data: { sandboxId, workspaceId, requestId, files: changes.slice(i, i + MAX_CHANGES_PER_EVENT) } });
  }
  return events;
}

export function evolveSandbox(state: SandboxState, event: SandboxEvent): SandboxState {
  switch (event.type) {
    case 'SandboxCreated': {
      const d = event.data;
      return {
        status: 'created',
        sandboxId: d.sandboxId,
        requestId: d.requestId,
        simulationId: d.simulationId,
        teamId: d.teamId,
        workspaceId: d.workspaceId,
        imageKind: d.imageKind,
        engine: d.engine,
        containerName: d.containerName,
        expiresAt: d.expiresAt,
      };
    }
    case 'SandboxFailed': {
      const failed: SandboxState = { status: 'failed', code: event.data.code, reason: event.data.reason };
      if (state.status === 'none' || state.status === 'failed') return failed;
      // After SandboxCreated: its container did not start.
      return state.status === 'created' && state.requestId === event.data.requestId ? failed : state;
    }
    case 'CommandExecuted':
    case 'FileWritten':
    case 'WorkspaceChanged':
      return state;
    case 'SandboxDestroyed': {
      if (state.status !== 'created') return state;
      const { status: _status, ...live } = state;
      return { ...live, status: 'destroyed', reason: event.data.reason };
    }
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

export const sandboxDecider: Decider<SandboxCommand, SandboxEvent, SandboxState> = {
  decide: decideSandbox,
  evolve: evolveSandbox,
  initialState: initialSandboxState,
};
