import { SweSimError } from '@swe-sim/contracts';

/**
 * What counts as the machine's luck rather than the agents' doing. A step that fails with one of
 * these is tried again as a new attempt (TaskStepInterrupted), never turned into an outcome: a
 * fault may delay a simulation, it must not change what it reports.
 *
 * Everything an agent did comes back as a result, not as an error: a command's exit code, its own
 * time-out, its OOM, a file it asked for that is not there (SANDBOX_FILE_NOT_FOUND…), an LLM answer
 * the gateway could not use (LLM_OUTPUT_INVALID) or a request the LLM refused (LLM_BAD_REQUEST).
 */
const INFRASTRUCTURE_CODES: ReadonlySet<string> = new Set([
  // sandbox-control: the container or the engine, not the command
  'SANDBOX_NOT_FOUND',
  'SANDBOX_DESTROYED',
  'SANDBOX_GONE',
  'SANDBOX_ENGINE_ERROR',
  'SANDBOX_UNAVAILABLE',
  'SANDBOX_ALREADY_EXISTS',
  // the transport: a service killed mid-request, a reply that never came, a handler that threw
  'RPC_INTERRUPTED',
  'RPC_TIMEOUT',
  'RPC_HANDLER_FAILED',
  'RPC_NO_HANDLER',
  // the LLM server: down, overloaded, 5xx, reset, too slow
  'LLM_BACKEND_UNAVAILABLE',
  'LLM_BACKEND_ERROR',
  'LLM_RATE_LIMITED',
  'LLM_TIMEOUT',
  'LLM_NO_BACKEND_FOR_MODEL',
  'LLM_CANCELLED',
]);

/** Not faults at all: a replay or fork asked for something its original never did. */
const DIVERGENCE_CODES: ReadonlySet<string> = new Set(['REPLAY_DIVERGENCE', 'LLM_REPLAY_DIVERGENCE']);

export const codeOf = (err: unknown): string => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code ? code : 'INTERNAL_ERROR';
};

/** A code a sandbox or LLM request can end with that is an infrastructure fault. */
export const isInfrastructureCode = (code: string) => INFRASTRUCTURE_CODES.has(code);

export interface InfrastructureFault {
  code: string;
  message: string;
  /** The task's sandbox may be gone or broken: the retry makes a new one (the next generation). */
  sandboxLost: boolean;
}

/**
 * How the runner reads an error thrown by a step. Steps return what the agents did as events and
 * throw only when something else broke — Postgres, Docker, a service, the LLM — so any error is
 * an infrastructure fault except a re-execution's divergence, which is the verdict it looks for.
 */
export function asInfrastructureFault(err: unknown): InfrastructureFault | null {
  const code = codeOf(err);
  if (DIVERGENCE_CODES.has(code)) return null;
  const message = (err as Error)?.message ?? String(err);
  return { code, message: message.slice(0, 4000), sandboxLost: !code.startsWith('LLM_') };
}

/** A step's failure from the LLM gateway's typed result, thrown so the runner retries it. */
export class LlmInfrastructureError extends SweSimError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

/** Attempts of one step before the task is suspended, and the back-off between them. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Infrastructure faults of a task (since it started or was resumed) before it is suspended. */
  maxFaultsPerTask: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000, maxFaultsPerTask: 40 };

/** From TASK_RETRY_MAX_ATTEMPTS / TASK_RETRY_BASE_MS / TASK_RETRY_MAX_MS (tests make the bound short). */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const int = (v: string | undefined, fallback: number, min: number) => {
    const n = v === undefined || v === '' ? NaN : Number(v);
    return Number.isInteger(n) && n >= min ? n : fallback;
  };
  return {
    maxAttempts: int(env.TASK_RETRY_MAX_ATTEMPTS, DEFAULT_RETRY_POLICY.maxAttempts, 1),
    baseDelayMs: int(env.TASK_RETRY_BASE_MS, DEFAULT_RETRY_POLICY.baseDelayMs, 0),
    maxDelayMs: int(env.TASK_RETRY_MAX_MS, DEFAULT_RETRY_POLICY.maxDelayMs, 0),
    maxFaultsPerTask: int(env.TASK_RETRY_MAX_FAULTS, DEFAULT_RETRY_POLICY.maxFaultsPerTask, 1),
  };
}

/** Exponential, capped, no jitter: the wait is recorded and a resumed run waits the same. */
export const backoffMs = (policy: RetryPolicy, attempt: number) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
