import { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';

/** The parts of Express's response a streamed body uses. */
export interface NdjsonResponse extends Writable {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

export interface NdjsonOptions {
  /** Gzip the body: sent as application/gzip (a file to keep), not as a Content-Encoding a client undoes. */
  gzip?: boolean;
  /** Offered as an attachment under this name. */
  filename?: string;
}

/**
 * Streams rows as JSON lines: each row JSON-encoded, or as it is when it is a string (a line the
 * caller encoded already, e.g. to hash its bytes). The first row is read before anything is sent,
 * so an error the rows raise at once (not found, refused) is still answered as an HTTP error.
 * Backpressure: a slow client holds the read of the next row, not memory. A client that goes
 * away stops the rows. An error after the status is sent cuts the connection before the chunked
 * body's end (a client sees an incomplete body, not a short one) and is rethrown.
 */
export async function sendNdjson(res: NdjsonResponse, rows: AsyncIterable<unknown>, options: NdjsonOptions = {}): Promise<void> {
  const iterator = rows[Symbol.asyncIterator]();
  let gone = false;
  const onClose = () => (gone = true);
  res.on('close', onClose);
  try {
    let next = await iterator.next();
    res.status(200);
    res.setHeader('Content-Type', options.gzip ? 'application/gzip' : 'application/x-ndjson; charset=utf-8');
    if (options.filename) res.setHeader('Content-Disposition', `attachment; filename="${options.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    const out: Writable = options.gzip ? createGzip() : res;
    if (out !== res) out.pipe(res);
    try {
      for (; !next.done && !gone; next = await iterator.next()) {
        const line = typeof next.value === 'string' ? next.value : JSON.stringify(next.value);
        if (!out.write(`${line}\n`)) await drained(out, res);
      }
    } catch (err) {
      if (out !== res) out.destroy();
      res.destroy();
      throw err;
    }
    if (gone) {
      if (out !== res) out.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      res.once('finish', resolve);
      res.once('close', resolve);
      out.end();
    });
  } finally {
    res.off('close', onClose);
    await iterator.return?.();
  }
}

/** Resolves when `out` takes writes again or the response is gone, leaving no listener behind. */
function drained(out: Writable, res: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      res.off('close', done);
      resolve();
    };
    out.on('drain', done);
    res.on('close', done);
  });
}
