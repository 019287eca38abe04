import { Writable } from 'node:stream';

/** Anything that takes bytes synchronously (CappedCollector does). */
export interface ByteSink {
  accept(chunk: Buffer): void;
}

const HEADER_BYTES = 8;

/**
 * Splits Docker's multiplexed attach/exec stream (8-byte header: stream type, 3 zero
 * bytes, big-endian payload length; then payload) into stdout and stderr sinks.
 *
 * Written instead of using `modem.demuxStream` because that one waits for a whole
 * frame before passing it on, copies its buffer on every frame, and never ends its
 * outputs. This one forwards payload bytes as they arrive (a frame split over many
 * chunks is never reassembled), keeps at most 7 header bytes between chunks, and
 * finishes when the source ends (pipe it, or await `finished`).
 */
export class DockerStreamDemuxer extends Writable {
  private header = Buffer.alloc(HEADER_BYTES);
  private headerFill = 0;
  /** Payload bytes still expected for the current frame. */
  private remaining = 0;
  private target: ByteSink | null = null;

  constructor(
    private readonly stdout: ByteSink,
    private readonly stderr: ByteSink,
  ) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  private consume(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - offset);
        this.target?.accept(chunk.subarray(offset, offset + n));
        this.remaining -= n;
        offset += n;
        continue;
      }
      const n = Math.min(HEADER_BYTES - this.headerFill, chunk.length - offset);
      chunk.copy(this.header, this.headerFill, offset, offset + n);
      this.headerFill += n;
      offset += n;
      if (this.headerFill < HEADER_BYTES) break;
      this.headerFill = 0;
      const type = this.header.readUInt8(0);
      this.remaining = this.header.readUInt32BE(4);
      // 0 = stdin (not attached here), 1 = stdout, 2 = stderr.
      if (type === 1) this.target = this.stdout;
      else if (type === 2) this.target = this.stderr;
      else if (type === 0) this.target = null;
      else throw new Error(`not a multiplexed docker stream (frame type ${type})`);
    }
  }
}
