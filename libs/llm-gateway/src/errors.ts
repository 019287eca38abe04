/** Gateway errors: every failure carries a stable `code`. */
import type { CallKey } from './call-key';

export const LLM_ERROR_CODES = [
  'LLM_BACKEND_UNAVAILABLE',
  'LLM_TIMEOUT',
  'LLM_RATE_LIMITED',
  'LLM_OUTPUT_INVALID',
  'LLM_NO_BACKEND_FOR_MODEL',
  'LLM_REPLAY_DIVERGENCE',
  'LLM_CANCELLED',
  'LLM_BAD_REQUEST',
  'LLM_BACKEND_ERROR',
] as const;
export type LlmErrorCode = (typeof LLM_ERROR_CODES)[number];

export interface LlmErrorInit {
  retryable?: boolean;
  status?: number;
  backend?: string;
  attempts?: number;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Serializable form of an LlmError (what a CallRecorder stores and a replay re-throws). */
export interface RecordedError {
  code: LlmErrorCode;
  message: string;
  status?: number;
  backend?: string;
  attempts?: number;
  details?: Record<string, unknown>;
  /** The simulation whose recording gave this failure (replay, or a fork's prefix). */
  replayedFrom?: string;
}

export class LlmError extends Error {
  readonly retryable: boolean;
  readonly status?: number;
  backend?: string;
  attempts?: number;
  readonly retryAfterMs?: number;
  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: LlmErrorCode,
    message: string,
    init: LlmErrorInit = {},
  ) {
    super(message, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = new.target.name;
    this.retryable = init.retryable ?? false;
    this.status = init.status;
    this.backend = init.backend;
    this.attempts = init.attempts;
    this.retryAfterMs = init.retryAfterMs;
    this.details = init.details;
  }

  toRecord(): RecordedError {
    const r: RecordedError = { code: this.code, message: this.message };
    if (this.status !== undefined) r.status = this.status;
    if (this.backend !== undefined) r.backend = this.backend;
    if (this.attempts !== undefined) r.attempts = this.attempts;
    if (this.details !== undefined) r.details = this.details;
    return r;
  }

  toJSON(): RecordedError {
    return this.toRecord();
  }
}

/** Connection refused/reset, 503, the gateway closed, or a connection dropped mid-response. */
export class LlmBackendUnavailableError extends LlmError {
  constructor(message: string, init: LlmErrorInit = {}) {
    super('LLM_BACKEND_UNAVAILABLE', message, init);
  }
}

/** The per-request time-out expired; never retried (the generation may still be running). */
export class LlmTimeoutError extends LlmError {
  constructor(message: string, init: LlmErrorInit = {}) {
    super('LLM_TIMEOUT', message, { ...init, retryable: false });
  }
}

export class LlmRateLimitedError extends LlmError {
  constructor(message: string, init: LlmErrorInit = {}) {
    super('LLM_RATE_LIMITED', message, init);
  }
}

/** Structured output still invalid after one repair attempt. */
export class LlmOutputInvalidError extends LlmError {
  constructor(
    message: string,
    readonly rawContent: string | null,
    readonly validationError: string,
    init: LlmErrorInit = {},
  ) {
    super('LLM_OUTPUT_INVALID', message, { ...init, retryable: false, details: { ...init.details, rawContent, validationError } });
  }
}

export class LlmNoBackendForModelError extends LlmError {
  constructor(readonly model: string) {
    super('LLM_NO_BACKEND_FOR_MODEL', `No backend serves model "${model}"`, { details: { model } });
  }
}

export class LlmReplayDivergenceError extends LlmError {
  constructor(
    readonly callKey: CallKey,
    readonly differences: string[],
  ) {
    super(
      'LLM_REPLAY_DIVERGENCE',
      `Replay diverged at call simulation=${callKey.simulationId} agent=${callKey.agentId} seq=${callKey.seq}: ${differences.join('; ')}`,
      { details: { callKey, differences } },
    );
  }
}

export class LlmCancelledError extends LlmError {
  constructor(message = 'LLM call cancelled', init: LlmErrorInit = {}) {
    super('LLM_CANCELLED', message, { ...init, retryable: false });
  }
}

/** 4xx other than 429 (invalid request, unknown model on the server, context too long). */
export class LlmBadRequestError extends LlmError {
  constructor(message: string, init: LlmErrorInit = {}) {
    super('LLM_BAD_REQUEST', message, { ...init, retryable: false });
  }
}

/** 500 and other unexpected answers (unparsable body). Retried only when the caller says so (a 5xx status). */
export class LlmBackendError extends LlmError {
  constructor(message: string, init: LlmErrorInit = {}) {
    super('LLM_BACKEND_ERROR', message, { retryable: false, ...init });
  }
}

export function isLlmError(e: unknown): e is LlmError {
  return e instanceof LlmError;
}

/** Rebuilds a typed error from its recorded form (replay of a recorded failure). */
export function llmErrorFromRecord(r: RecordedError): LlmError {
  const init: LlmErrorInit = { status: r.status, backend: r.backend, attempts: r.attempts, details: r.details };
  switch (r.code) {
    case 'LLM_BACKEND_UNAVAILABLE':
      return new LlmBackendUnavailableError(r.message, init);
    case 'LLM_TIMEOUT':
      return new LlmTimeoutError(r.message, init);
    case 'LLM_RATE_LIMITED':
      return new LlmRateLimitedError(r.message, init);
    case 'LLM_OUTPUT_INVALID': {
      const d = r.details ?? {};
      return new LlmOutputInvalidError(r.message, (d.rawContent as string | null) ?? null, String(d.validationError ?? ''), init);
    }
    case 'LLM_CANCELLED':
      return new LlmCancelledError(r.message, init);
    case 'LLM_BAD_REQUEST':
      return new LlmBadRequestError(r.message, init);
    case 'LLM_BACKEND_ERROR':
      return new LlmBackendError(r.message, init);
    default:
      return new LlmError(r.code, r.message, init);
  }
}
