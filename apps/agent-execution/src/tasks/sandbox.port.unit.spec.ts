import { of } from 'rxjs';
import { EventStore, StoredEvent } from '@swe-sim/event-store';
import { EventStoreClient } from '@swe-sim/transport';
import { SimulationOrigin } from '../replay/simulation-origin';
import { SandboxPort, SandboxReplayDivergenceError } from './sandbox.port';

/** A recorded request and its reply in stream rpc-<id>, at a position. */
type Recorded = { type: string; data: Record<string, unknown>; reply?: { ok: boolean; response?: unknown; error?: { code: string; message: string } }; position: number };

function aStore(recorded: Record<string, Recorded>): EventStore {
  return {
    readStream: async (streamId: string) => {
      const r = recorded[streamId.replace(/^rpc-/, '')];
      if (!r) return [];
      const request = { type: r.type, data: r.data, globalPosition: r.position - 1 } as unknown as StoredEvent;
      return r.reply ? [request, { type: 'RpcReplied', data: { requestId: 'x', ...r.reply }, globalPosition: r.position } as unknown as StoredEvent] : [request];
    },
  } as unknown as EventStore;
}

/** Records what is sent live and answers each with `live: <id>`. */
function aClient() {
  const sent: string[] = [];
  const client = {
    send: (_type: string, record: { options: { eventId: string } }) => {
      sent.push(record.options.eventId);
      return of({ exitCode: 0, stdout: `live: ${record.options.eventId}` });
    },
  } as unknown as EventStoreClient;
  return { client, sent };
}

const cmd = (stdout: string, position: number, cmdText = 'pytest'): Recorded => ({
  type: 'CommandRequested',
  data: { sandboxId: 'theirs', cmd: cmdText, timeoutMs: 1000, maxOutputBytes: 64 },
  reply: { ok: true, response: { exitCode: 0, stdout } },
  position,
});
const replayOf = (simulationId: string): SimulationOrigin => ({ simulationId, mode: 'replay', atPosition: null });
const forkOf = (simulationId: string, atPosition: number): SimulationOrigin => ({ simulationId, mode: 'fork', atPosition });

describe(SandboxPort.name, () => {
  it('in a replay answers with the reply the original recorded for the same step, and sends nothing', async () => {
    const { client, sent } = aClient();
    const sut = new SandboxPort(client, 'R', { store: aStore({ orig1: cmd('3 passed', 10) }), chain: [replayOf('S')] });
    expect(await sut.run(['own1', 'orig1'], 'mine', 'pytest', 1000, 64)).toEqual({ exitCode: 0, stdout: '3 passed' });
    expect(sent).toEqual([]);
  });

  it('in a replay, a step the original did not take, or took differently, is a divergence; its recorded errors are answered as errors', async () => {
    const { client, sent } = aClient();
    const failed: Recorded = { ...cmd('', 10), reply: { ok: false, error: { code: 'SANDBOX_DESTROYED', message: 'gone' } } };
    const sut = new SandboxPort(client, 'R', { store: aStore({ orig1: cmd('3 passed', 10), orig3: failed }), chain: [replayOf('S')] });
    await expect(sut.run(['own2', 'orig2'], 'mine', 'pytest', 1000, 64)).rejects.toThrow(/the original made no CommandRequested request for this step/);
    const differs = await sut.run(['own1', 'orig1'], 'mine', 'pytest -x', 1000, 64).catch((e) => e);
    expect(differs).toBeInstanceOf(SandboxReplayDivergenceError);
    expect(differs).toMatchObject({ code: 'REPLAY_DIVERGENCE', message: expect.stringContaining('cmd: recorded "pytest" vs now "pytest -x"') });
    await expect(sut.run(['own3', 'orig3'], 'mine', 'pytest', 1000, 64)).rejects.toMatchObject({ code: 'SANDBOX_DESTROYED' });
    expect(sent).toEqual([]);
  });

  it('in a fork runs every step (under an id of its own while shared) and answers with the original\'s result up to the fork point, live after it', async () => {
    const { client, sent } = aClient();
    const sut = new SandboxPort(client, 'F', { store: aStore({ early: cmd('before the cut', 10), late: cmd('after the cut', 50) }), chain: [forkOf('S', 20)] });
    expect((await sut.run(['ownA', 'early'], 'mine', 'pytest', 1000, 64)).stdout).toBe('before the cut');
    expect((await sut.run(['ownB', 'late'], 'mine', 'pytest', 1000, 64)).stdout).toBe('live: ownB');
    expect((await sut.run(['ownC', 'never'], 'mine', 'pytest', 1000, 64)).stdout).toBe('live: ownC');
    expect(sent).toHaveLength(3);
    expect(sent[0]).not.toBe('ownA'); // the shared step ran for its effect, never under the id its answer would be found by
    expect(sent.slice(1)).toEqual(['ownB', 'ownC']);
  });

  it('in a replay of a fork, a step the fork shared is answered from the fork\'s own origin, one it ran live from the fork', async () => {
    const { client, sent } = aClient();
    const store = aStore({ forkLive: cmd('the fork saw this', 60), origShared: cmd('the original saw this', 10), origLate: cmd('not shared', 40) });
    const sut = new SandboxPort(client, 'R', { store, chain: [replayOf('F'), forkOf('S', 20)] });
    expect((await sut.run(['own1', 'forkShared', 'origShared'], 'mine', 'pytest', 1000, 64)).stdout).toBe('the original saw this');
    expect((await sut.run(['own2', 'forkLive', 'origLate'], 'mine', 'pytest', 1000, 64)).stdout).toBe('the fork saw this');
    await expect(sut.run(['own3', 'forkNone', 'origLate'], 'mine', 'pytest', 1000, 64)).rejects.toBeInstanceOf(SandboxReplayDivergenceError);
    expect(sent).toEqual([]);
  });
});
