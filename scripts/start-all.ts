/**
 * `npm start`: every service as its own process, restarted with back-off if it dies.
 * Without LLM_BASE_URL, the LLM simulator is started too and agent-execution points at it.
 * SIGINT/SIGTERM stop everything (services get SIGTERM and shut down cleanly).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

interface ServiceSpec {
  name: string;
  entry: string;
  env: Record<string, string>;
}

const dist = join(__dirname, '..');
const env = { ...process.env } as Record<string, string>;
env.DATABASE_URL ??= 'postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim';

const services: ServiceSpec[] = [];
if (!env.LLM_BASE_URL) {
  const port = env.LLM_SIM_PORT ?? '8000';
  services.push({ name: 'llm-simulator', entry: 'apps/llm-simulator/src/main.js', env: { LLM_SIM_PORT: port } });
  env.LLM_BASE_URL = `http://127.0.0.1:${port}/v1`;
  env.LLM_MODEL ??= 'sim-model'; // the simulator's default model name
}
for (const name of ['project-management', 'team-formation', 'agent-execution', 'sandbox-control']) {
  services.push({ name, entry: `apps/${name}/src/main.js`, env: {} });
}

let stopping = false;
const children = new Map<string, ChildProcess>();

function start(spec: ServiceSpec, restarts = 0): void {
  const child = spawn(process.execPath, [join(dist, spec.entry)], { env: { ...env, ...spec.env }, stdio: 'inherit' });
  children.set(spec.name, child);
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    children.delete(spec.name);
    if (stopping) return;
    // A service that ran a while gets a fresh back-off; one that dies at once backs off up to 30 s.
    const next = Date.now() - startedAt > 60_000 ? 0 : restarts + 1;
    const delay = Math.min(30_000, 500 * 2 ** next);
    log(`${spec.name} exited (${signal ?? code}); restarting in ${delay} ms`);
    setTimeout(() => start(spec, next), delay);
  });
}

function log(msg: string): void {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'supervisor', msg }) + '\n');
}

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping ${children.size} services`);
  for (const child of children.values()) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(1);
  }, 10_000);
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      clearTimeout(force);
      process.exit(0);
    }
  }, 100);
}

process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
services.forEach((s) => start(s));
log(`started ${services.map((s) => s.name).join(', ')}`);
