import { ApiError, UnreachableError } from '@swe-sim/api-client';

/** What a script can rely on: the process's exit code. */
export const EXIT = {
  /** Done: the simulation completed, the replay was identical, the request was accepted. */
  OK: 0,
  /** The thing ran but the outcome is bad: failed or cancelled, a replay diverged. */
  BAD_OUTCOME: 1,
  /** Wrong arguments or options (commander's own errors too). */
  USAGE: 2,
  /** The API refused the request (400, 404, 409, …). */
  REFUSED: 3,
  /** No key, a wrong key or one without the scope (401, 403). */
  KEY: 4,
  /** No answer: the API cannot be reached. */
  UNREACHABLE: 5,
} as const;

/** A usage error found by the CLI itself (a bad --set, a missing file). */
export class UsageError extends Error {}

export function exitCodeOf(err: unknown): number {
  if (err instanceof UsageError) return EXIT.USAGE;
  if (err instanceof UnreachableError) return EXIT.UNREACHABLE;
  if (err instanceof ApiError) return err.status === 401 || err.status === 403 ? EXIT.KEY : err.status >= 500 ? EXIT.UNREACHABLE : EXIT.REFUSED;
  return EXIT.BAD_OUTCOME;
}

/** The error as one line on stderr (and as JSON with --json, so a script reads the code). */
export function describeCliError(err: unknown, json: boolean): string {
  if (json) {
    const body = err instanceof ApiError ? { status: err.status, code: err.code, message: err.message, field: err.field } : { code: (err as Error).name, message: (err as Error).message };
    return JSON.stringify({ error: body });
  }
  if (err instanceof ApiError) {
    const hint = err.status === 401 ? ' (set SWE_SIM_API_KEY or --api-key)' : '';
    return `error: ${err.code}${err.field ? ` (${err.field})` : ''}: ${err.message}${hint}`;
  }
  return `error: ${(err as Error).message}`;
}
