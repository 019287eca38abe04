import { CappedCollector } from './capped-collector';
import { DockerStreamDemuxer } from './docker-stream-demuxer';

function frame(type: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const header = Buffer.alloc(8);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function demux(chunks: Buffer[], cap = 1024) {
  const out = new CappedCollector(cap);
  const err = new CappedCollector(cap);
  const d = new DockerStreamDemuxer(out, err);
  await new Promise<void>((resolve, reject) => {
    d.on('error', reject);
    d.on('finish', resolve);
    for (const c of chunks) d.write(c);
    d.end();
  });
  return { out, err };
}

describe('CappedCollector', () => {
  it('keeps the first maxBytes and counts the rest', () => {
    const c = new CappedCollector(5);
    c.accept(Buffer.from('abc'));
    c.accept(Buffer.from('defgh'));
    c.accept(Buffer.from('ij'));
    expect(c.text()).toBe('abcde');
    expect(c.totalBytes).toBe(10);
    expect(c.truncated).toBe(true);
  });

  it('is not truncated at exactly maxBytes', () => {
    const c = new CappedCollector(3);
    c.accept(Buffer.from('abc'));
    expect(c.truncated).toBe(false);
    expect(c.text()).toBe('abc');
  });

  it('does not keep a reference to the source buffer', () => {
    const src = Buffer.from('hello');
    const c = new CappedCollector(10);
    c.accept(src);
    src.fill(0);
    expect(c.text()).toBe('hello');
  });

  it('works as a Writable stream', async () => {
    const c = new CappedCollector(4);
    c.write('12');
    c.write('3456');
    await new Promise<void>((r) => c.end(r));
    expect(c.text()).toBe('1234');
    expect(c.totalBytes).toBe(6);
  });
});

describe('DockerStreamDemuxer', () => {
  it('routes frames to stdout and stderr', async () => {
    const { out, err } = await demux([Buffer.concat([frame(1, 'out1 '), frame(2, 'err1'), frame(1, 'out2')])]);
    expect(out.text()).toBe('out1 out2');
    expect(err.text()).toBe('err1');
  });

  it('handles frames and headers split at every byte boundary', async () => {
    const all = Buffer.concat([frame(1, 'hello '), frame(2, 'warn'), frame(1, ''), frame(1, 'world')]);
    for (let size = 1; size <= all.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size));
      const { out, err } = await demux(chunks);
      expect([size, out.text(), err.text()]).toEqual([size, 'hello world', 'warn']);
    }
  });

  it('passes a large frame on as it arrives and caps it', async () => {
    const big = Buffer.alloc(1_000_000, 0x61);
    const whole = frame(1, big);
    const chunks = [whole.subarray(0, 100), whole.subarray(100, 500_000), whole.subarray(500_000)];
    const { out } = await demux(chunks, 10);
    expect(out.text()).toBe('aaaaaaaaaa');
    expect(out.totalBytes).toBe(1_000_000);
    expect(out.truncated).toBe(true);
  });

  it('rejects a stream that is not multiplexed', async () => {
    await expect(demux([Buffer.from('plain text, not frames')])).rejects.toThrow(/not a multiplexed/);
  });
});
