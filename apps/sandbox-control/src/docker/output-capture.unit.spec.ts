import { CappedCollector } from './capped-collector';
import { DockerStreamDemuxer } from './docker-stream-demuxer';
import { ExitTrailer } from './exit-trailer';

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

describe(ExitTrailer.name, () => {
  const marker = 'swe-sim-exit:0f1e2d3c-aaaa-bbbb-cccc-123456789abc';
  const through = (chunks: Array<string | Buffer>, cap = 1 << 20) => {
    const collector = new CappedCollector(cap);
    const sut = new ExitTrailer(collector, marker);
    for (const c of chunks) sut.accept(Buffer.isBuffer(c) ? c : Buffer.from(c));
    const status = sut.finish();
    return { status, text: collector.text(), bytes: collector.totalBytes };
  };

  it('takes the exit status from the end of stderr and strips the trailer, however the chunks fall', () => {
    const whole = `oops\nerror: 3 failed\n${marker} 3\n`;
    expect(through([whole])).toEqual({ status: 3, text: 'oops\nerror: 3 failed\n', bytes: 21 });
    const bytewise = [...whole].map((ch) => ch);
    expect(through(bytewise)).toEqual({ status: 3, text: 'oops\nerror: 3 failed\n', bytes: 21 });
    expect(through(['x'.repeat(100_000), `${marker.slice(0, 10)}`, `${marker.slice(10)} 137\n`])).toMatchObject({ status: 137, bytes: 100_000 });
    expect(through([`${marker} 0\n`])).toEqual({ status: 0, text: '', bytes: 0 });
  });

  it('passes everything on and says null when the trailer is not the last thing written (cut off, a leftover wrote after it, another marker)', () => {
    expect(through(['partial output'])).toEqual({ status: null, text: 'partial output', bytes: 14 });
    expect(through([`${marker} 0\n`, 'late write\n'])).toMatchObject({ status: null, text: `${marker} 0\nlate write\n` });
    const forged = `swe-sim-exit:other-exec 0\n`;
    expect(through([forged])).toEqual({ status: null, text: forged, bytes: forged.length });
    expect(through([`${marker} 999\n`])).toMatchObject({ status: null });
    expect(through([])).toEqual({ status: null, text: '', bytes: 0 });
  });

  it('keeps the collector\'s cap and byte count exact (the trailer is not output)', () => {
    const r = through(['a'.repeat(50), 'b'.repeat(50), `${marker} 1\n`], 60);
    expect(r).toEqual({ status: 1, text: 'a'.repeat(50) + 'b'.repeat(10), bytes: 100 });
  });
});
