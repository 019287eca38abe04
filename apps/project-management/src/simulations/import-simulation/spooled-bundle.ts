import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export class BundleTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the bundle is over ${limit} bytes (decompressed); IMPORT_BODY_LIMIT_BYTES sets the limit`);
  }
}

export class NotGzipError extends Error {}

/** A request body written to a temporary file as it was checked: read again to write it, then removed. */
export interface SpooledBundle {
  lines(): AsyncGenerator<string>;
  remove(): Promise<void>;
}

/**
 * Reads a body (gzipped or not: told by its first bytes), decompressed, to a temporary file, and
 * hands each line to `onLine` on the way (it throws to refuse). Past `limit` decompressed bytes it
 * stops reading (BundleTooLargeError): a gzip bomb costs at most the limit. Never holds more than a
 * line in memory.
 */
export async function spoolBundle(body: AsyncIterable<Buffer>, limit: number, onLine: (text: string) => void): Promise<SpooledBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'swe-sim-import-'));
  const path = join(dir, 'bundle.ndjson');
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = createWriteStream(path);
  // A write error (a full disk) can come between writes, when nothing awaits the file: kept here and
  // thrown at the next write or at the end, never an unhandled 'error' that ends the process.
  let fileError: Error | undefined;
  file.on('error', (err) => (fileError ??= err));
  const healthy = () => {
    if (fileError) throw fileError;
  };
  // One reader of the body for the whole request: what a refusal leaves unread is read (and dropped) from it.
  const raw = body[Symbol.asyncIterator]();
  try {
    let total = 0;
    const counted = async function* () {
      for await (const chunk of decompressed({ [Symbol.asyncIterator]: () => ({ next: () => raw.next() }) })) {
        total += chunk.length;
        if (total > limit) throw new BundleTooLargeError(limit);
        healthy();
        if (!file.write(chunk)) await once(file, 'drain');
        yield chunk;
      }
    };
    for await (const text of splitLines(counted())) onLine(text);
    healthy();
    file.end();
    await once(file, 'close');
    healthy();
  } catch (err) {
    file.destroy();
    await remove();
    // A client still sending when the answer comes would see its connection reset instead of the
    // refusal: the rest of the body is read and dropped, up to the limit (past it, the reset it is).
    if (!(err instanceof BundleTooLargeError)) await discard(raw, limit);
    throw err;
  }
  return { lines: () => splitLines(createReadStream(path)), remove };
}

async function discard(raw: AsyncIterator<Buffer>, limit: number): Promise<void> {
  let read = 0;
  for (let n = await raw.next().catch(() => DONE); !n.done && read <= limit; n = await raw.next().catch(() => DONE)) read += (n.value as Buffer).length;
}
const DONE: IteratorResult<Buffer> = { done: true, value: undefined };

/** The body's bytes, gunzipped when they start as gzip does. Reads the body without destroying it (a refusal is still answered). */
async function* decompressed(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const all = (async function* () {
    yield first.value as Buffer;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value as Buffer;
  })();
  const chunk = first.value as Buffer;
  if (chunk[0] !== 0x1f || chunk[1] !== 0x8b) {
    yield* all;
    return;
  }
  try {
    yield* Readable.from(all).pipe(createGunzip());
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('Z_')) throw new NotGzipError(`the body starts as gzip but does not decompress: ${(err as Error).message}`);
    throw err;
  }
}

/** Lines of a byte stream, split at \n only (a \r stays part of its line), decoded as UTF-8. */
export async function* splitLines(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let partial: Buffer[] = [];
  for await (const chunk of source) {
    let start = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
      partial.push(chunk.subarray(start, i));
      yield Buffer.concat(partial).toString('utf8');
      partial = [];
      start = i + 1;
    }
    if (start < chunk.length) partial.push(chunk.subarray(start));
  }
  if (partial.length) yield Buffer.concat(partial).toString('utf8');
}
