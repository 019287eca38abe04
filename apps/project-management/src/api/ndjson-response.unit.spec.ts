import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { sendNdjson } from './ndjson-response';

/** A response whose buffer is full after every write until it drains (a slow client). */
class SlowResponse extends Writable {
  chunks: Buffer[] = [];
  headers: Record<string, string> = {};
  code = 0;
  constructor() {
    super({ highWaterMark: 1 });
  }
  status(code: number) {
    this.code = code;
  }
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.chunks.push(Buffer.from(chunk));
    setImmediate(done);
  }
  body() {
    return Buffer.concat(this.chunks);
  }
}

async function* rows(n: number) {
  for (let i = 0; i < n; i++) yield i % 2 ? { i } : JSON.stringify({ i }); // objects encoded, strings sent as they are
}

describe('sendNdjson', () => {
  it('sends every row as a line, waiting for the slow client, and leaves no listener behind', async () => {
    const res = new SlowResponse();
    await sendNdjson(res as never, rows(200), { filename: 'x.jsonl' });
    expect(res.code).toBe(200);
    expect(res.headers['Content-Type']).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers['Content-Disposition']).toBe('attachment; filename="x.jsonl"');
    const lines = res.body().toString().trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(lines.map((l) => JSON.parse(l).i)).toEqual([...Array(200).keys()]);
    expect(res.listenerCount('drain')).toBe(0);
  });

  it('gzips the body as a file when asked', async () => {
    const res = new SlowResponse();
    await sendNdjson(res as never, rows(50), { gzip: true, filename: 'x.ndjson.gz' });
    expect(res.headers['Content-Type']).toBe('application/gzip');
    expect(gunzipSync(res.body()).toString().trimEnd().split('\n')).toHaveLength(50);
  });

  it('answers an error of the first row as an error (nothing sent yet), and one later by cutting the body', async () => {
    async function* failsAt(n: number) {
      for (let i = 0; i < n; i++) yield { i };
      throw new Error('refused');
    }
    const early = new SlowResponse();
    await expect(sendNdjson(early as never, failsAt(0))).rejects.toThrow('refused');
    expect(early.code).toBe(0); // no status sent: the error filter still answers it
    const late = new SlowResponse();
    await expect(sendNdjson(late as never, failsAt(3))).rejects.toThrow('refused');
    expect(late.code).toBe(200);
    expect(late.destroyed).toBe(true); // cut before the chunked end: the client sees an incomplete body
  });

  it('stops reading rows once the client is gone', async () => {
    const res = new SlowResponse();
    let read = 0;
    async function* endless() {
      for (;;) {
        read++;
        if (read === 5) res.destroy();
        yield { read };
      }
    }
    await sendNdjson(res as never, endless());
    expect(read).toBeLessThan(10);
  });
});
