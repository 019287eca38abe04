import { EventEmitter } from 'node:events';
import { drainedOrClosed, sendNdjson } from './ndjson';

/** A response whose writes report a full buffer until it drains. */
class SlowResponse extends EventEmitter {
  chunks: string[] = [];
  ended = false;
  destroyed = false;
  headers: Record<string, string> = {};
  status() {}
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    setImmediate(() => this.emit('drain'));
    return false;
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
  }
}

const logger = { error: jest.fn(), info: jest.fn(), warn: jest.fn(), debug: jest.fn() } as never;

describe('NDJSON download', () => {
  it('waits for drain on every slow write without leaving listeners behind', async () => {
    const res = new SlowResponse();
    async function* lines() {
      for (let i = 0; i < 50; i++) yield JSON.stringify({ i });
    }
    await sendNdjson({ on: () => undefined }, res as never, lines(), { filename: 'x.jsonl', logger, context: {} });
    expect(res.chunks).toHaveLength(50);
    expect(res.ended).toBe(true);
    expect(res.listenerCount('drain')).toBe(0);
    expect(res.listenerCount('close')).toBe(0);
    expect(res.headers['Content-Type']).toBe('application/x-ndjson; charset=utf-8');
  });

  it('stops at a close and removes the drain listener', async () => {
    const res = new EventEmitter();
    const waiting = drainedOrClosed(res);
    res.emit('close');
    await waiting;
    expect(res.listenerCount('drain')).toBe(0);
  });

  it('cuts the connection when producing a line fails', async () => {
    const res = new SlowResponse();
    async function* lines(): AsyncGenerator<string> {
      yield '{}';
      throw new Error('blob missing');
    }
    await sendNdjson({ on: () => undefined }, res as never, lines(), { filename: 'x.jsonl', logger, context: {} });
    expect(res.destroyed).toBe(true);
    expect(res.ended).toBe(false);
  });
});
