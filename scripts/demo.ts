/**
 * `npm run demo`: a whole simulation on embedded defaults. Starts the services and the LLM
 * simulator (or uses LLM_BASE_URL), creates an example project (DEMO_EXAMPLE, default text-utils),
 * runs a simulation and shows it live: team, estimates, sprint, each agent's tests, reviews,
 * merges, a progress bar with features done and tokens; then a summary, and a replay of the history
 * against its recordings (DEMO_REPLAY=0 skips it) that must be identical. Service logs go to a file.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { eventLine } from '@swe-sim/api-client';
import { createEventRegistry } from '@swe-sim/contracts';
import { Checkpoint, EventStore, START, StoredEvent } from '@swe-sim/event-store';
import { freePort } from '@swe-sim/testing';
import { EXAMPLE_NAMES, loadExample } from '../examples/load-example';
import { SERVICES, startStack, waitHealthy } from './service-supervisor';

const env = process.env;
const exampleName = (env.DEMO_EXAMPLE ?? 'text-utils') as (typeof EXAMPLE_NAMES)[number];
if (!EXAMPLE_NAMES.includes(exampleName)) {
  console.error(`DEMO_EXAMPLE must be one of ${EXAMPLE_NAMES.join(', ')}`);
  process.exit(2);
}
const databaseUrl = env.DATABASE_URL ?? 'postgres://swe_sim:swe_sim@127.0.0.1:5432/swe_sim';
const tty = process.stdout.isTTY;
const c = (code: number, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = (s: string) => c(1, s);
const dim = (s: string) => c(2, s);
const green = (s: string) => c(32, s);
const red = (s: string) => c(31, s);
const yellow = (s: string) => c(33, s);

async function main(): Promise<number> {
  const example = loadExample(exampleName);
  mkdirSync('logs', { recursive: true });
  const logPath = join('logs', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  const output = createWriteStream(logPath);
  const ports = Object.fromEntries(await Promise.all([...SERVICES, 'llm-simulator'].map(async (s) => [s, await freePort()])));
  const usingSimulator = !env.LLM_BASE_URL;
  console.log(bold(`swe-sim demo: ${example.body.name}`) + dim(` (${example.body.stack}, ${example.body.backlog.length} features)`));
  console.log(dim(`LLM: ${usingSimulator ? `the scripted simulator, time scale ${env.DEMO_TIME_SCALE ?? '0.05'}` : env.LLM_BASE_URL} · service logs: ${logPath}`));
  const stack = startStack({
    env: { ...env, DATABASE_URL: databaseUrl, LOG_LEVEL: env.LOG_LEVEL ?? 'info' },
    ports,
    simulator: { script: example.scriptPath, timeScale: env.DEMO_TIME_SCALE ?? '0.05' },
    output,
    log: (m) => output.write(`[supervisor] ${m}\n`),
  });
  const stop = async () => {
    await stack.stop();
    output.end();
  };
  process.on('SIGINT', () => void stop().then(() => process.exit(130)));
  process.on('SIGTERM', () => void stop().then(() => process.exit(143)));

  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await waitHealthy(SERVICES.map((s) => stack.urls[s]));
    const api = stack.urls['project-management'];
    // With SWE_SIM_API_KEY set the API needs it (unset: the API is open, as for a local demo).
    const auth: Record<string, string> = env.SWE_SIM_API_KEY ? { authorization: `Bearer ${env.SWE_SIM_API_KEY}` } : {};
    const post = async (path: string, body: unknown) => {
      const r = await fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
      const json = (await r.json()) as any;
      if (r.status === 401) {
        throw new Error(`POST ${path}: 401 — the database ${databaseUrl} has API keys (an npm start with SWE_SIM_API_KEY made one): set SWE_SIM_API_KEY to one of them`);
      }
      if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${JSON.stringify(json)}`);
      return json;
    };
    const { projectId } = await post('/projects', example.body);
    const { simulationId, seed } = await post(`/projects/${projectId}/simulations`, {
      seed: Number(env.DEMO_SEED ?? 42),
      teams: Number(env.DEMO_TEAMS ?? 1),
      teamSize: Number(env.DEMO_TEAM_SIZE ?? 3),
    });
    console.log(dim(`project ${projectId} · simulation ${simulationId} · seed ${seed}\n`));
    const ok = await follow(new EventStore(pool, { registry: createEventRegistry() }), simulationId, example.body.backlog.length);
    const sim = (await (await fetch(`${api}/simulations/${simulationId}`, { headers: auth })).json()) as any;
    summary(sim);
    let replayed = true;
    if (env.DEMO_REPLAY !== '0' && sim.status === 'completed') {
      // The history replays with no LLM and no sandbox, and must decide exactly the same.
      const r = await post(`/simulations/${simulationId}/replay`, { waitMs: 120_000 });
      replayed = r.status === 'compared' && r.identical;
      const what = `${r.compared?.events ?? '?'} events in ${r.compared?.streams ?? '?'} streams, no LLM call`;
      console.log(`  replay            ${replayed ? green('identical') : red(r.status === 'compared' ? `diverged: ${JSON.stringify(r.firstDivergence)}` : 'not finished')} ${dim(`(${what}; simulation ${r.replayId})`)}`);
    }
    return ok && sim.status === 'completed' && replayed ? 0 : 1;
  } finally {
    await pool.end();
    await stop();
  }
}

/** Prints the simulation's events as they commit (commit-safe order), with a status line. */
async function follow(store: EventStore, simulationId: string, totalFeatures: number): Promise<boolean> {
  const names: Record<string, string> = {};
  const progress = { sprint: 0, done: 0, abandoned: 0, tokens: 0, llmCalls: 0, turns: 0 };
  const started = Date.now();
  const deadline = started + Number(env.DEMO_TIMEOUT_MS ?? 15 * 60_000);
  let after: Checkpoint = START;
  let status = '';
  const line = (text: string) => {
    if (tty && status) process.stdout.write('\x1b[2K\r');
    console.log(text);
    if (tty) process.stdout.write(status);
  };
  const redraw = () => {
    const width = 24;
    const filled = Math.round((progress.done / Math.max(1, totalFeatures)) * width);
    const bar = green('█'.repeat(filled)) + dim('░'.repeat(width - filled));
    status = `${bar} ${progress.done}/${totalFeatures} features · sprint ${progress.sprint} · ${progress.turns} turns · ${progress.llmCalls} LLM calls · ${(progress.tokens / 1000).toFixed(1)}k tokens · ${((Date.now() - started) / 1000).toFixed(0)} s`;
    if (tty) process.stdout.write(`\x1b[2K\r${status}`);
  };
  let lastPlain = 0;
  for (;;) {
    const { events } = await store.readAll({ after, limit: 500, simulationId });
    for (const e of events) {
      after = { transactionId: e.transactionId, position: e.globalPosition };
      const end = describe(e, names, progress, line);
      if (end !== null) {
        redraw();
        if (tty) process.stdout.write('\n');
        return end;
      }
    }
    redraw();
    if (!tty && Date.now() - lastPlain > 5000) {
      console.log(dim(status));
      lastPlain = Date.now();
    }
    if (Date.now() > deadline) {
      line(red('the demo timed out'));
      return false;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const TONES = { ok: green, bad: red, warn: yellow, dim, title: bold };

/** One event as a line (the wording the CLI's watch shares; most events are quiet); returns true/false when the simulation ended. */
function describe(e: StoredEvent, names: Record<string, string>, p: Record<string, number>, line: (s: string) => void): boolean | null {
  const d = e.data as any;
  if (e.type === 'SprintStarted') p.sprint = d.sprint;
  if (e.type === 'AgentTurnTaken') p.turns++;
  if (e.type === 'FeatureDone') p.done++;
  if (e.type === 'FeatureAbandoned') p.abandoned++;
  if (e.type === 'LlmCallCompleted') {
    p.llmCalls++;
    p.tokens += d.usage.promptTokens + d.usage.completionTokens;
  }
  const said = eventLine(e, names);
  if (said) line(said.tone ? TONES[said.tone](said.text) : said.text);
  if (e.type === 'SimulationCompleted') return true;
  if (e.type === 'SimulationFailed') return false;
  return null;
}

function summary(sim: any): void {
  const m = sim.metrics;
  console.log(bold('\nSummary'));
  console.log(`  status            ${sim.status === 'completed' ? green(sim.status) : red(sim.status)}`);
  console.log(`  features done     ${m.featuresDone}/${m.featuresTotal}`);
  console.log(`  acceptance tests  ${m.acceptanceTestsPassed}/${m.acceptanceTestsTotal} passed`);
  for (const s of m.sprints) console.log(`  sprint ${s.sprint}          ${s.deliveredPoints}/${s.committedPoints} points delivered`);
  for (const e of m.estimation) console.log(`  ${e.featureId.padEnd(17)} ${e.points} points, ${e.turns} turns, ${e.tokens} tokens${e.done ? '' : ' (not done)'}`);
  for (const [role, t] of Object.entries<any>(m.tokensByRole)) console.log(`  tokens, ${role}`.padEnd(20) + `${t.prompt} in, ${t.completion} out`);
  console.log(`  LLM time          ${(m.llmTimeMs / 1000).toFixed(1)} s (summed over calls)`);
  console.log(`  wall time         ${(m.wallTimeMs / 1000).toFixed(1)} s`);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(red(`demo failed: ${err instanceof Error ? err.message : String(err)}`));
    process.exit(1);
  },
);
