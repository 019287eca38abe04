import { ByteSink } from './docker-stream-demuxer';

/**
 * The exec wrapper (timeout-command.ts) ends stderr with `<marker> <exit status>\n`, the marker new
 * for every exec. Read from the stream, the exit status needs no exec inspect, which answers only
 * once Docker has recorded the exit (≈ 3–5 ms after the output ends). Forging it gains a command
 * nothing: it sets its own exit status anyway; limits are judged from the cgroup's counters.
 *
 * A sink in front of stderr's collector: it holds back the last few bytes until the stream ends,
 * then strips the trailer if it is the very last thing written. When a process that left the
 * command's group (setsid) still writes to the inherited stderr after it, nothing is stripped (the
 * status line stays in stderr, among that late output) and the caller asks Docker.
 */
export class ExitTrailer implements ByteSink {
  private held: Buffer = Buffer.alloc(0);
  private readonly holdBytes: number;
  private readonly pattern: RegExp;

  constructor(
    private readonly inner: ByteSink,
    private readonly marker: string,
  ) {
    if (!/^[\w:.-]+$/.test(marker)) throw new Error(`bad exit marker ${JSON.stringify(marker)}`);
    this.holdBytes = marker.length + ' 255\n'.length;
    this.pattern = new RegExp(`${marker.replace(/[.]/g, '\\.')} (\\d{1,3})\\n$`);
  }

  accept(chunk: Buffer): void {
    if (chunk.length >= this.holdBytes) {
      // Large chunk: pass on what is held and all but the chunk's tail, without copying it.
      if (this.held.length) this.inner.accept(this.held);
      this.inner.accept(chunk.subarray(0, chunk.length - this.holdBytes));
      this.held = Buffer.from(chunk.subarray(chunk.length - this.holdBytes));
      return;
    }
    const all = Buffer.concat([this.held, chunk]);
    const over = all.length - this.holdBytes;
    if (over > 0) this.inner.accept(all.subarray(0, over));
    this.held = over > 0 ? all.subarray(over) : all;
  }

  /** Call once the stream ended: the exit status the trailer carried (stripped), or null (everything passed on). */
  finish(): number | null {
    const held = this.held;
    this.held = Buffer.alloc(0);
    const m = this.pattern.exec(held.toString('latin1'));
    const status = m ? Number(m[1]) : NaN;
    if (!m || status > 255) {
      if (held.length) this.inner.accept(held);
      return null;
    }
    if (m.index > 0) this.inner.accept(held.subarray(0, m.index));
    return status;
  }
}
