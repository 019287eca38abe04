/**
 * Small helpers of the chaos driver. It loads the repository's compiled code (the supervisor, the
 * example loader, the migrations) from dist/ at run time, so that it runs the same from jest (sources)
 * and from `npm run chaos` (compiled), and its own compilation emits nothing but test/chaos.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** A module of the build (dist/<path>), e.g. 'scripts/service-supervisor.js'. */
export function fromDist<T>(path: string): T {
  const file = join(REPO_ROOT, 'dist', path);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}

// The shapes this driver uses of scripts/service-supervisor.ts, examples/load-example.ts, db/migrate.ts.
export interface RunningStack {
  urls: Record<string, string>;
  stop(): Promise<void>;
}
export interface SupervisorModule {
  SERVICES: readonly string[];
  startStack(options: {
    env: Record<string, string | undefined>;
    ports?: Partial<Record<string, number>>;
    simulator?: { script?: string; timeScale?: string };
    output?: NodeJS.WritableStream;
    log?: (msg: string) => void;
  }): RunningStack;
  waitHealthy(urls: string[], timeoutMs?: number): Promise<void>;
}
export interface ExampleModule {
  loadExample(name: string): { body: { name: string; backlog: { featureId: string }[] }; scriptPath: string };
}
export interface MigrateModule {
  migrate(databaseUrl: string, log?: (line: string) => void): Promise<string[]>;
}

/** A port the OS says is free now (on 127.0.0.1): the test library's, from the build. */
export const freePort = (): Promise<number> => fromDist<{ freePort(): Promise<number> }>('libs/testing/src/processes.js').freePort();

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The repository's seeded PRNG (mulberry32): the kill schedule of a CHAOS_SEED is the same (the system's timing is not). */
export const prng = (seed: number): (() => number) => fromDist<{ mulberry32(seed: number): () => number }>('libs/kit/src/prng.js').mulberry32(seed);

export interface HttpResult {
  status: number;
  body: any;
}

/** One request to 127.0.0.1 with a deadline; a refused connection is status 0. */
export async function http(method: 'GET' | 'POST', url: string, body?: unknown, timeoutMs = 30_000): Promise<HttpResult> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`the chaos driver only talks to 127.0.0.1, not ${url}`);
  try {
    const r = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: r.status, body: parsed };
  } catch (err) {
    return { status: 0, body: { error: (err as Error).message } };
  }
}

/**
 * A POST retried while the service is down or answers 5xx (it may be restarting after a kill),
 * up to `deadline`; a 4xx or a 2xx is returned at once.
 */
export async function postRetrying(url: string, body: unknown, deadline: number, timeoutMs = 30_000): Promise<HttpResult> {
  for (let delay = 250; ; delay = Math.min(delay * 2, 3_000)) {
    const r = await http('POST', url, body, Math.max(1_000, Math.min(timeoutMs, deadline - Date.now())));
    if (r.status !== 0 && r.status < 500) return r;
    if (Date.now() + delay > deadline) return r;
    await sleep(delay);
  }
}
