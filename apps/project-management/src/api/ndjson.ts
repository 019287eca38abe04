import { StructuredLogger } from '@swe-sim/event-store';

/** The parts of Node's request and response an NDJSON download uses. */
export interface NdjsonRequest {
  on(event: 'close', fn: () => void): void;
}
export interface NdjsonResponse extends NodeJS.EventEmitter {
  status(code: number): unknown;
  setHeader(name: string, value: string): void;
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  readonly destroyed: boolean;
}

/**
 * Resolves when the response can take more (drain) or is gone (close), and removes both listeners
 * either way: a listener left behind on every slow write would pile up over a long download.
 */
export function drainedOrClosed(res: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams JSON lines (application/x-ndjson) as they are produced: a slow client holds the
 * production of the next line, not memory. An error after the status is sent cuts the connection
 * before the chunked body's end, which a client sees as an error.
 */
export async function sendNdjson(
  req: NdjsonRequest,
  res: NdjsonResponse,
  lines: AsyncGenerator<string>,
  options: { filename: string; logger: StructuredLogger; context: Record<string, unknown> },
): Promise<void> {
  let gone = false;
  req.on('close', () => (gone = true));
  res.status(200);
  res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${options.filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  try {
    for await (const line of lines) {
      if (gone || res.destroyed) break;
      if (!res.write(`${line}\n`)) await drainedOrClosed(res);
    }
  } catch (err) {
    options.logger.error('export failed', { ...options.context, error: err instanceof Error ? err.message : String(err) });
    res.destroy();
    return;
  } finally {
    await lines.return(undefined);
  }
  res.end();
}
