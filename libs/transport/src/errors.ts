import { SweSimError } from '@swe-sim/contracts';

export class RpcTimeoutError extends SweSimError {
  constructor(pattern: string, requestId: string, ms: number) {
    super('RPC_TIMEOUT', `No reply to ${pattern} (request ${requestId}) within ${ms} ms`, { pattern, requestId, ms });
  }
}

/** An error the handling service replied with; code and message are the remote ones. */
export class RpcRemoteError extends SweSimError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
