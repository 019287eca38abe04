/**
 * Starts every service as its own process (and the LLM simulator when no LLM_BASE_URL is given),
 * restarting any that dies, with back-off. Used by `npm start` and `npm run demo`.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { WriteStream } from 'node:fs';
import { join } from 'node:path';

export const SERVICES = ['project-management', 'team-formation', 'agent-execution', 'sandbox-control'] as const;

export interface StackOptions {
  env: Record<string, string | undefined>;
  /** Ports per service name (and 'llm-simulator'); defaults: 3000–3003 and 8000. */
  ports?: Partial<Record<string, number>>;
  /** Simulator settings used when the stack starts the simulator. */
  simulator?: { script?: string; timeScale?: string };
  /** Where the services' output goes (default: this process's stdout). */
  output?: WriteStream;
  log?: (msg: string) => void;
}

export interface RunningStack {
  urls: Record<string, string>;
  stop(): Promise<void>;
}

const dist = join(__dirname, '..');
const DEFAULT_PORTS: Record<string, number> = { 'project-management': 3000, 'team-formation': 3001, 'agent-execution': 3002, 'sandbox-control': 3003, 'llm-simulator': 8000 };

export function startStack(options: StackOptions): RunningStack {
  const log = options.log ?? (() => {});
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const env = { ...options.env } as Record<string, string>;
  env.DATABASE_URL ??= 'postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim';
  const specs: { name: string; entry: string; env: Record<string, string> }[] = [];
  if (!env.LLM_BASE_URL) {
    const port = String(ports['llm-simulator']);
    env.LLM_MODEL ??= 'sim-model'; // the simulator serves LLM_MODEL
    specs.push({
      name: 'llm-simulator',
      entry: 'apps/llm-simulator/src/main.js',
      env: { LLM_SIM_PORT: port, ...(options.simulator?.script ? { LLM_SIM_SCRIPT: options.simulator.script } : {}), ...(options.simulator?.timeScale ? { LLM_SIM_TIME_SCALE: options.simulator.timeScale } : {}) },
    });
    env.LLM_BASE_URL = `http://127.0.0.1:${port}/v1`;
  }
  for (const name of SERVICES) specs.push({ name, entry: `apps/${name}/src/main.js`, env: { PORT: String(ports[name]) } });

  let stopping = false;
  const children = new Map<string, ChildProcess>();
  const start = (spec: (typeof specs)[number], restarts = 0) => {
    const child = spawn(process.execPath, [join(dist, spec.entry)], { env: { ...env, ...spec.env }, stdio: ['ignore', options.output ? 'pipe' : 'inherit', options.output ? 'pipe' : 'inherit'] });
    if (options.output) {
      child.stdout!.pipe(options.output, { end: false });
      child.stderr!.pipe(options.output, { end: false });
    }
    children.set(spec.name, child);
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      children.delete(spec.name);
      if (stopping) return;
      // Killed (a signal: the OOM killer, an operator, the chaos test) or after a while: back at once.
      // Only a service that exits by itself soon after starting (bad config, no database) is a crash
      // loop, and backs off up to 30 s.
      const crashLoop = signal === null && Date.now() - startedAt < 10_000;
      const next = crashLoop ? restarts + 1 : 0;
      const delay = Math.min(30_000, 500 * 2 ** next);
      log(`${spec.name} exited (${signal ?? code}); restarting in ${delay} ms`);
      setTimeout(() => !stopping && start(spec, next), delay);
    });
  };
  specs.forEach((s) => start(s));
  log(`started ${specs.map((s) => s.name).join(', ')}`);

  return {
    urls: Object.fromEntries(specs.map((s) => [s.name, `http://127.0.0.1:${s.name === 'llm-simulator' ? ports['llm-simulator'] : s.env.PORT}`])),
    stop() {
      stopping = true;
      for (const child of children.values()) child.kill('SIGTERM');
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 10_000);
        const check = setInterval(() => {
          if (children.size === 0) {
            clearInterval(check);
            clearTimeout(force);
            resolve();
          }
        }, 50);
      });
    },
  };
}

/** Resolves when every URL's /health answers 200. */
export async function waitHealthy(urls: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      if (Date.now() > deadline) throw new Error(`${url} did not become healthy in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
