import { SandboxError } from './sandbox-errors';

/**
 * A Docker call that must answer within `ms`, or is abandoned with SANDBOX_ENGINE_ERROR (an
 * infrastructure fault: the caller's step is retried as a new attempt). Seen here under load:
 * `runc create` hanging for ever in a futex, so that `docker start` never returned — each such start
 * held a create slot, and after eight of them no sandbox could be made at all. The call gets an
 * AbortSignal (dockerode passes it to the HTTP request); what Docker may still do later is the
 * reaper's to clean up.
 */
export async function withEngineDeadline<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new SandboxError('SANDBOX_ENGINE_ERROR', `${what}: no answer from the Docker engine within ${ms} ms`);
      abort.abort(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([call(abort.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
