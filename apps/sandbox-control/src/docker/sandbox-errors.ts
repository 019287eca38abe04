/** Stable error codes the service maps into events / HTTP answers. */
export type SandboxErrorCode =
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_INVALID_SPEC'
  | 'SANDBOX_ALREADY_EXISTS'
  | 'SANDBOX_ENGINE_ERROR'
  /** The container died or was removed, or the sandbox was halted for its destruction (SandboxGoneError). */
  | 'SANDBOX_GONE';

export class SandboxError extends Error {
  override readonly name = 'SandboxError';
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A command cut off, or refused, because its sandbox went: `halted` by this engine (haltSandbox,
 * destroySandbox: whoever destroys it records why), or its container `died` or was `removed`
 * (by someone else, or it crashed).
 */
export class SandboxGoneError extends SandboxError {
  constructor(
    readonly how: 'halted' | 'died' | 'removed',
    message: string,
  ) {
    super('SANDBOX_GONE', message);
  }
}

/** Docker API errors from docker-modem carry the HTTP status in statusCode. */
export function dockerStatusCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err as { statusCode?: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}
