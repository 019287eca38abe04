import { Writable } from 'node:stream';

/**
 * A Writable that keeps the first `maxBytes` bytes written to it and discards the
 * rest as it arrives: memory stays bounded whatever a command prints. It always
 * accepts writes at once, so it never applies back-pressure to a shared source.
 */
export class CappedCollector extends Writable {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private seen = 0;

  constructor(readonly maxBytes: number) {
    super();
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new Error(`bad maxBytes ${maxBytes}`);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.accept(chunk);
    done();
  }

  /** Synchronous entry point, used by the demuxer (no stream machinery per chunk). */
  accept(chunk: Buffer): void {
    this.seen += chunk.length;
    const room = this.maxBytes - this.kept;
    if (room <= 0) return;
    // Copy the kept slice so the (possibly large) source buffer can be freed.
    const part = chunk.length <= room ? Buffer.from(chunk) : Buffer.from(chunk.subarray(0, room));
    this.chunks.push(part);
    this.kept += part.length;
  }

  /** Total bytes written, kept or not. */
  get totalBytes(): number {
    return this.seen;
  }

  get truncated(): boolean {
    return this.seen > this.kept;
  }

  buffer(): Buffer {
    return Buffer.concat(this.chunks, this.kept);
  }

  /** UTF-8 text of the kept bytes (a multi-byte character cut at the cap becomes U+FFFD). */
  text(): string {
    return this.buffer().toString('utf8');
  }
}
