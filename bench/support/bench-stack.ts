import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScriptSpec, createLlmSimulator } from '../../apps/llm-simulator/src';
import { SERVICES } from '../../scripts/service-supervisor';
import { RunningService, TestDatabase, createTestDatabase, freePort, startService } from '@swe-sim/testing';

/** A number from the environment, or the default when unset or not a number. */
export const envNumber = (name: string, dflt: number) => {
  const n = Number(process.env[name]);
  return process.env[name] && Number.isFinite(n) ? n : dflt;
};

export interface BenchStack {
  db: TestDatabase;
  sim: ReturnType<typeof createLlmSimulator>;
  /** By name; a bench that stops one itself deletes it here. */
  services: Record<string, RunningService>;
  api: string;
  post(path: string, body: unknown): Promise<any>;
  /** Kills what is left, drops the database, removes the workspaces. */
  stop(): Promise<void>;
}

/**
 * Every service as its own process (the e2e stack's way, @swe-sim/testing) against a fresh
 * database, with the LLM simulator in this process (so its engine can be sampled).
 */
export async function startBenchStack(o: { name: string; script: ScriptSpec; timeScale: number; env?: Record<string, string> }): Promise<BenchStack> {
  const db = await createTestDatabase();
  const workspaces = mkdtempSync(join(tmpdir(), `swe-sim-${o.name}-`));
  const sim = createLlmSimulator({ models: ['sim-model'], timeScale: o.timeScale, script: o.script });
  const services: Record<string, RunningService> = {};
  const stop = async () => {
    await Promise.all(Object.values(services).map((s) => s.kill('SIGKILL')));
    await sim.close();
    await db.drop().catch(() => undefined);
    rmSync(workspaces, { recursive: true, force: true });
  };
  try {
    const { baseUrl } = await sim.listen(await freePort());
    const env = { DATABASE_URL: db.url, LLM_BASE_URL: baseUrl, LLM_MODEL: 'sim-model', SANDBOX_WORKSPACE_ROOT: workspaces, SANDBOX_INSTANCE_ID: `${o.name}-${process.pid}`, ...o.env };
    await Promise.all(SERVICES.map(async (name) => (services[name] = await startService(name, env, 60_000))));
  } catch (err) {
    await stop();
    throw err;
  }
  const api = services['project-management'].url;
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await r.json()) as any;
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { db, sim, services, api, post, stop };
}

/** Requests the simulator's engine holds (running + waiting), sampled every 20 ms as a step function. */
export function sampleInFlight(sim: BenchStack['sim']): { samples: { t: number; n: number }[]; stop(): void } {
  const samples = [{ t: Date.now(), n: sim.stats().inEngine }];
  const timer = setInterval(() => {
    const n = sim.stats().inEngine;
    if (samples[samples.length - 1].n !== n) samples.push({ t: Date.now(), n });
  }, 20);
  return { samples, stop: () => clearInterval(timer) };
}

/** A bench file run alone: figures on stdout, progress on stderr, exit code 1 on failure. */
export function runAsMain(run: (log: (line: string) => void) => Promise<unknown>): void {
  run((line) => (line.startsWith('{') ? process.stdout : process.stderr).write(line + '\n')).then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`${(err as Error).stack}\n`);
      process.exit(1);
    },
  );
}
