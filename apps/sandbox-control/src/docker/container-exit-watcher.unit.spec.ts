import type Docker from 'dockerode';
import { ContainerEvent, ContainerEventStream } from './container-event-stream';
import { ContainerExitWatcher } from './container-exit-watcher';

/** A stand-in for the engine's event stream: events are pushed by the test. */
function fakeStream(connected = true) {
  const listeners = new Set<(e: ContainerEvent) => void>();
  const stream = {
    connected,
    onEvent: (l: (e: ContainerEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
  };
  const emit = (action: string, containerId: string) => listeners.forEach((l) => l({ action, containerId, at: Date.now() }));
  return { stream: stream as unknown as ContainerEventStream, emit, state: stream };
}

describe('ContainerExitWatcher', () => {
  it('tells the watchers of a container once when it dies or is removed; not others, not after unwatch', () => {
    const { stream, emit } = fakeStream();
    const w = new ContainerExitWatcher(stream, {} as Docker);
    const a: string[] = [];
    const b: string[] = [];
    const unwatchA = w.watch('a', (how) => a.push(how));
    const unwatchB = w.watch('b', (how) => b.push(how));
    emit('oom', 'a');
    emit('die', 'a');
    emit('destroy', 'a');
    expect(a).toEqual(['died']);
    unwatchB();
    emit('destroy', 'b');
    expect(b).toEqual([]);
    unwatchA();
    w.close();
  });

  it('tells a watcher at once when its container already ended', () => {
    const { stream, emit } = fakeStream();
    const w = new ContainerExitWatcher(stream, {} as Docker);
    emit('destroy', 'c');
    const seen: string[] = [];
    w.watch('c', (how) => seen.push(how))();
    expect(seen).toEqual(['removed']);
    expect(w.endOf('c')).toBe('removed');
    w.forget('c');
    expect(w.endOf('c')).toBeUndefined();
    w.close();
  });

  it('inspects the watched containers while the event stream is down, and only then', async () => {
    const { stream, state } = fakeStream(false);
    const inspected: string[] = [];
    const docker = {
      getContainer: (id: string) => ({
        inspect: async () => {
          inspected.push(id);
          if (id === 'gone') throw Object.assign(new Error('no such container'), { statusCode: 404 });
          return { State: { Running: id !== 'stopped' } };
        },
      }),
    } as unknown as Docker;
    const w = new ContainerExitWatcher(stream, docker, 20);
    const seen: string[] = [];
    const unwatch = ['gone', 'stopped', 'alive'].map((id) => w.watch(id, (how) => seen.push(`${id}:${how}`)));
    await new Promise((r) => setTimeout(r, 60));
    expect(seen.sort()).toEqual(['gone:removed', 'stopped:died']);
    state.connected = true;
    const before = inspected.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(inspected.length).toBe(before);
    unwatch.forEach((u) => u());
    w.close();
  });
});
