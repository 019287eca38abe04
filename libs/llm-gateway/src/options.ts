/**
 * The gateway's options. They have a file of their own so that config.ts (which builds them from the
 * environment) and gateway.ts (which takes them) do not import each other.
 */
import type { CallKey } from './call-key';
import type { LlmErrorCode } from './errors';
import type { CallRecorder, ReplaySource } from './recording';
import type { BackendConfig, SamplingParams } from './types';

export interface RetryOptions {
  /** Total HTTP attempts per request (default 4). */
  maxAttempts?: number;
  /** First back-off (default 250 ms); doubles each attempt, with jitter (half fixed, half random). */
  baseDelayMs?: number;
  /** Back-off cap (default 10 s); also caps a server's Retry-After. */
  maxDelayMs?: number;
}

export interface CallAccounting {
  callKey: CallKey;
  model: string;
  backend: string | null;
  outcome: 'ok' | LlmErrorCode;
  usage: { promptTokens: number; completionTokens: number };
  timings: { queueMs: number; latencyMs: number };
  attempts: number;
  replayed: boolean;
}

/** In replay mode, what a call with no recording does: throw, or go live (resume, continue a fork). */
export type ReplayMissingPolicy = 'throw' | 'live' | ((key: CallKey) => 'throw' | 'live' | Promise<'throw' | 'live'>);

export interface LlmGatewayOptions {
  backends: BackendConfig[];
  /** Gateway-wide sampling defaults (over DEFAULT_SAMPLING; under the request's own). */
  defaults?: Partial<SamplingParams>;
  retry?: RetryOptions;
  /** Per-request (per HTTP attempt) time-out, default 10 minutes. */
  timeoutMs?: number;
  /** Stream by default (a backend's `stream` or the request's overrides it). */
  stream?: boolean;
  recorder?: CallRecorder;
  /** Replay mode: answers come from here, with no network call. */
  replay?: ReplaySource;
  /** In replay mode, what a call with no recording does: throw (default) or go live (resume, continue a fork); per call when a function. */
  onReplayMissing?: ReplayMissingPolicy;
  /** Called after every logical call (accounting). */
  onCall?: (a: CallAccounting) => void;
  /** Random source for back-off jitter (default Math.random). */
  random?: () => number;
}
