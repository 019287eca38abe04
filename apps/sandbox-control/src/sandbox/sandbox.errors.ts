import { SandboxErrorCode, SweSimError } from '@swe-sim/contracts';

/** An error a sandbox request is answered with; its code is one of SANDBOX_ERROR_CODES. */
export class SandboxRequestError extends SweSimError {
  constructor(code: SandboxErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}
