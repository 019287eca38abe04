import { ApiError, SweSimClient } from '@swe-sim/api-client';

/** The key a person entered after a 401, for this tab only (session storage). */
const KEY = 'swe-sim.apiKey';
export const storedKey = () => sessionStorage.getItem(KEY) ?? undefined;
export const storeKey = (key: string) => sessionStorage.setItem(KEY, key);

/** The page's own origin: project-management serves the dashboard next to the API. */
export const api = new SweSimClient({ baseUrl: '', apiKey: storedKey });

/** Listeners told when a request met a 401 (the app then asks for a key). */
const unauthorized = new Set<() => void>();
export const onUnauthorized = (fn: () => void) => (unauthorized.add(fn), () => void unauthorized.delete(fn));

/** An error as a person reads it; a 401 also asks for a key. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) unauthorized.forEach((fn) => fn());
    if (err.status === 401) return 'This API needs a key: enter one above.';
    if (err.status === 403) return `Your key may not do this (${err.message}).`;
    if (err.status === 404) return `Not found: ${err.message}`;
    return `${err.code}: ${err.message}`;
  }
  if ((err as Error)?.name === 'UnreachableError') return 'The API cannot be reached: is project-management running?';
  return String((err as Error)?.message ?? err);
}
