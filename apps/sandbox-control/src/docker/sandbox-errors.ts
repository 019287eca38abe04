/** Stable error codes the service maps into events / HTTP answers. */
export type SandboxErrorCode =
  | 'SANDBOX_NOT_FOUND'
  | 'SANDBOX_INVALID_SPEC'
  | 'SANDBOX_ALREADY_EXISTS'
  | 'SANDBOX_ENGINE_ERROR';

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

/** Docker API errors from docker-modem carry the HTTP status in statusCode. */
export function dockerStatusCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    const code = (err as { statusCode?: unknown }).statusCode;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}
