/**
 * The chaos test (issue 10, point 4). On a PostgreSQL instance of its own:
 *
 *  1. baseline: the four services as processes under the supervisor (scripts/service-supervisor.ts),
 *     the LLM simulator with the text-utils script, N simulations of seeds 1000+i, no fault;
 *  2. chaos: the same seeds on a fresh database while a driver SIGKILLs random service processes at
 *     random times (the supervisor restarts them), restarts Postgres once, and the simulator answers
 *     a share of the LLM calls with a 503 or a connection reset;
 *  3. checks, per chaos simulation: it completed with the same features done as the baseline's
 *     simulation of its seed; no event lost or duplicated (history-checks.ts); its replay is identical;
 *     no container of it is left two reaper intervals after the end; and what the faults cost
 *     (TaskStepInterrupted: infrastructure retries).
 *
 * Every loop is bounded in count and time; every request goes to 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ExampleModule, HttpResult, MigrateModule, REPO_ROOT, RunningStack, SupervisorModule, freePort, fromDist, http, postRetrying, prng, sleep } from './chaos-util';
import { HistoryFindings, checkHistory } from './history-checks';
import { PostgresInstance, startPostgresInstance } from './postgres-instance';
import { Kill, killRandomService } from './service-killer';

export interface ChaosOptions {
  /** Simulations per wave (seeds seedBase, seedBase+1, …). */
  simulations: number;
  seedBase: number;
  example: string;
  /** Kills: the loop stops at maxKills; while fewer than minKills were done when a wave ends, another wave starts (up to maxWaves). */
  minKills: number;
  maxKills: number;
  maxWaves: number;
  /** Mean pause between two kills; 0: 1.2 × the baseline's simulation time / minKills (clamped to 1–10 s). Each pause is 0.4–1.6 × the mean. */
  killGapMs: number;
  /** Restart Postgres at this fraction of minKills (once). */
  postgresRestartAt: number;
  llmFault503: number;
  llmFaultReset: number;
  timeScale: string;
  reapIntervalMs: number;
  /** Replay every chaos simulation (and the baseline's with replayBaseline). */
  replay: boolean;
  replayBaseline: boolean;
  /** The whole run's bound; the phases share it. */
  timeoutMs: number;
  /** Seed of the kill schedule and the simulator's fault draws. */
  chaosSeed: number;
  /** Where the services' output goes (a directory; created). */
  logDir: string;
  log: (msg: string) => void;
}

export const SHORT_OPTIONS: Omit<ChaosOptions, 'log' | 'logDir'> = {
  simulations: 3,
  seedBase: 1000,
  example: 'text-utils',
  minKills: 15,
  maxKills: 25,
  maxWaves: 2,
  killGapMs: 0,
  postgresRestartAt: 0.5,
  llmFault503: 0.05,
  llmFaultReset: 0.05,
  timeScale: '0.01',
  reapIntervalMs: 5_000,
  replay: true,
  replayBaseline: false,
  timeoutMs: 3.5 * 60_000,
  chaosSeed: 1,
};

export const LONG_OPTIONS: Omit<ChaosOptions, 'log' | 'logDir'> = {
  ...SHORT_OPTIONS,
  simulations: 6,
  minKills: 100,
  maxKills: 150,
  maxWaves: 12,
  killGapMs: 4_000,
  postgresRestartAt: 0.4,
  replayBaseline: true,
  timeoutMs: 60 * 60_000,
};

export interface SimulationResult {
  seed: number;
  wave: number;
  simulationId: string;
  status: string;
  /** From its start to its end event (ms), or until the driver stopped waiting. */
  wallMs: number;
  resumed: number;
  featuresDone: string[];
  history?: HistoryFindings;
  replay?: { status: string; identical: boolean | null; firstDivergence: unknown; compared?: unknown; replayId?: string; error?: string };
  containersLeft: { name: string; state: string; sandboxId: string }[];
}

export interface PhaseReport {
  phase: 'baseline' | 'chaos';
  wallMs: number;
  simulations: SimulationResult[];
  kills: Kill[];
  postgresRestart: { atMs: number; downMs: number; error?: string } | null;
  llm: { requests: number | null; faults: Record<string, number> };
  /** Containers of this phase's sandbox-control instance found at the end, with no simulation label of a simulation of the phase. */
  otherContainersLeft: { name: string; state: string }[];
  containersRemovedAtCleanup: number;
  errors: string[];
}

export interface ChaosReport {
  ok: boolean;
  mode: string;
  options: Record<string, unknown>;
  timeMs: number;
  kills: { done: number; byService: Record<string, number>; required: number };
  postgresRestarts: number;
  /** The simulator's counts in the chaos phase: chat-completion requests, and faults injected by kind. */
  llm: { requests: number | null; faults: Record<string, number> };
  simulations: {
    seed: number;
    wave: number;
    simulationId: string;
    baselineSimulationId: string | null;
    status: string;
    baselineStatus: string | null;
    wallMs: number;
    baselineWallMs: number | null;
    resumed: number;
    featuresDone: string[];
    baselineFeaturesDone: string[] | null;
    sameFeaturesDone: boolean;
    missingFeatures: string[];
    extraFeatures: string[];
    featuresAbandoned: HistoryFindings['featuresAbandoned'];
    infrastructureRetries: HistoryFindings['infrastructureRetries'] | null;
    events: HistoryFindings | null;
    replay: SimulationResult['replay'] | null;
    containersLeft: SimulationResult['containersLeft'];
    failures: string[];
  }[];
  baseline: { wallMs: number; simulations: { seed: number; simulationId: string; status: string; featuresDone: string[]; wallMs: number; replay: SimulationResult['replay'] | null; failures: string[] }[] };
  /** Every failure, each naming the simulation (seed) and what differed. */
  failures: string[];
  warnings: string[];
  errors: string[];
}

const END_TYPES = ['SimulationCompleted', 'SimulationFailed', 'SimulationCancelled', 'SimulationResumed'];

interface Tracked {
  seed: number;
  wave: number;
  simulationId: string;
  startedAt: number;
  endedAt: number | null;
  status: string;
  resumable: boolean;
  resumed: number;
}

/** The last word of each simulation's own stream: completed / failed (resumable?) / cancelled, or running. */
async function refreshStatuses(pool: Pool, tracked: Tracked[]): Promise<void> {
  const open = tracked.filter((t) => t.endedAt === null);
  if (!open.length) return;
  const r = await pool.query(
    `SELECT simulation_id::text AS id, type, data FROM events WHERE stream_id = ANY($1::text[]) AND type = ANY($2::text[]) ORDER BY global_position`,
    [open.map((t) => `simulation-${t.simulationId}`), END_TYPES],
  );
  for (const t of open) {
    const last = r.rows.filter((row) => row.id === t.simulationId).pop();
    if (!last || last.type === 'SimulationResumed') continue;
    t.status = last.type === 'SimulationCompleted' ? 'completed' : last.type === 'SimulationFailed' ? 'failed' : 'cancelled';
    t.resumable = last.type === 'SimulationFailed' && last.data.resumable === true;
    t.endedAt = Date.now();
  }
}

function docker(args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, out, stderr) => (err ? reject(new Error(`docker ${args[0]}: ${err.message} ${stderr}`)) : resolve(out))),
  );
}

/** Containers created by the sandbox-control instance `owner` (every state). */
async function containersOf(owner: string): Promise<{ id: string; name: string; state: string; simulationId: string; sandboxId: string }[]> {
  const out = await docker(['ps', '-a', '--filter', `label=swe-sim.owner=${owner}`, '--format', '{{.ID}}\t{{.Names}}\t{{.State}}\t{{.Label "swe-sim.simulation-id"}}\t{{.Label "swe-sim.sandbox-id"}}']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, name, state, simulationId, sandboxId] = line.split('\t');
      return { id, name, state, simulationId, sandboxId };
    });
}

async function llmMetrics(url: string): Promise<{ requests: number | null; faults: Record<string, number> }> {
  try {
    const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const faults: Record<string, number> = {};
    for (const m of text.matchAll(/^llm_sim_faults_total\{kind="([^"]+)"\} (\d+)/gm)) if (Number(m[2]) > 0) faults[m[1]] = Number(m[2]);
    const requests = /^llm_sim_requests_total (\d+)/m.exec(text);
    return { requests: requests ? Number(requests[1]) : null, faults };
  } catch {
    return { requests: null, faults: {} };
  }
}

interface PhaseInput {
  phase: 'baseline' | 'chaos';
  pg: PostgresInstance;
  database: string;
  options: ChaosOptions;
  deadline: number;
  /** chaos only: mean pause between kills. */
  killGapMs?: number;
}

async function runPhase(input: PhaseInput): Promise<PhaseReport> {
  const { phase, pg, options, deadline } = input;
  const { log } = options;
  const chaos = phase === 'chaos';
  const supervisor = fromDist<SupervisorModule>('scripts/service-supervisor.js');
  const example = fromDist<ExampleModule>('examples/load-example.js').loadExample(options.example);
  const databaseUrl = pg.url(input.database);
  const workspaces = mkdtempSync(join(tmpdir(), `swe-sim-chaos-${phase}-`));
  const instanceId = `chaos-${phase}-${process.pid}-${pg.port}`;
  const ports = Object.fromEntries(await Promise.all([...supervisor.SERVICES, 'llm-simulator'].map(async (s) => [s, await freePort()])));
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'warn',
    LLM_MODEL: 'sim-model',
    LLM_BASE_URL: undefined, // the stack starts the simulator
    SWE_SIM_API_KEY: undefined,
    SANDBOX_WORKSPACE_ROOT: workspaces,
    SANDBOX_INSTANCE_ID: instanceId,
    SANDBOX_REAP_INTERVAL_MS: String(options.reapIntervalMs),
    SANDBOX_REAP_GRACE_MS: String(2 * options.reapIntervalMs),
    LLM_SIM_SEED: String(options.chaosSeed),
    LLM_SIM_FAULT_503: chaos ? String(options.llmFault503) : undefined,
    LLM_SIM_FAULT_RESET: chaos ? String(options.llmFaultReset) : undefined,
  };
  mkdirSync(options.logDir, { recursive: true });
  const output: WriteStream = createWriteStream(join(options.logDir, `${phase}.log`));
  const report: PhaseReport = { phase, wallMs: 0, simulations: [], kills: [], postgresRestart: null, llm: { requests: null, faults: {} }, otherContainersLeft: [], containersRemovedAtCleanup: 0, errors: [] };
  const t0 = Date.now();
  const stack: RunningStack = supervisor.startStack({
    env,
    ports,
    simulator: { script: example.scriptPath, timeScale: options.timeScale },
    output,
    log: (m) => output.write(`[supervisor ${new Date().toISOString()}] ${m}\n`),
  });
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('error', () => undefined); // the Postgres restart cuts idle connections: the next query reconnects
  const tracked: Tracked[] = [];
  try {
    await supervisor.waitHealthy([...supervisor.SERVICES.map((s) => stack.urls[s]), stack.urls['llm-simulator']], 90_000);
    const api = stack.urls['project-management'];
    const project = await postRetrying(`${api}/projects`, example.body, Math.min(deadline, Date.now() + 60_000));
    if (project.status !== 201) throw new Error(`POST /projects: ${project.status} ${JSON.stringify(project.body).slice(0, 500)}`);
    const projectId = project.body.projectId as string;

    const startWave = async (wave: number) => {
      for (let i = 0; i < options.simulations; i++) {
        const seed = options.seedBase + i;
        const r: HttpResult = await postRetrying(`${api}/projects/${projectId}/simulations`, { seed, teams: 1, teamSize: 3 }, Math.min(deadline, Date.now() + 60_000));
        if (r.status !== 201) {
          report.errors.push(`wave ${wave}: POST /projects/${projectId}/simulations (seed ${seed}): ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
          continue;
        }
        tracked.push({ seed, wave, simulationId: r.body.simulationId, startedAt: Date.now(), endedAt: null, status: 'running', resumable: false, resumed: 0 });
      }
      log(`${phase}: wave ${wave}: ${options.simulations} simulations started`);
    };

    let wave = 1;
    await startWave(wave);
    const random = prng(options.chaosSeed);
    const gap = input.killGapMs ?? 0;
    const restartAtKill = Math.max(1, Math.round(options.minKills * options.postgresRestartAt));
    const chaosStart = Date.now();
    let nextKillAt = chaosStart + gap * (0.4 + 1.2 * random());
    let lastProgress = 0;
    // Kills while the simulations run; a wave that ends before minKills were done starts the next.
    while (Date.now() < deadline) {
      await refreshStatuses(pool, tracked).catch(() => undefined); // Postgres may be restarting
      const running = tracked.filter((t) => t.endedAt === null);
      if (Date.now() - lastProgress > 15_000) {
        lastProgress = Date.now();
        log(`${phase}: ${tracked.length - running.length}/${tracked.length} simulations ended, ${report.kills.length} kills, ${Math.round((Date.now() - t0) / 1000)} s`);
      }
      if (running.length === 0) {
        if (chaos && report.kills.length < options.minKills && wave < options.maxWaves) {
          await startWave(++wave);
          continue;
        }
        break;
      }
      if (chaos && report.kills.length < options.maxKills && Date.now() >= nextKillAt) {
        const kill = killRandomService(supervisor.SERVICES, random, chaosStart);
        if (kill) {
          report.kills.push(kill);
          output.write(`[chaos ${new Date().toISOString()}] SIGKILL ${kill.service} pid ${kill.pid} (up ${kill.uptimeS} s), kill #${report.kills.length}\n`);
        }
        nextKillAt = Date.now() + gap * (0.4 + 1.2 * random());
        if (report.kills.length === restartAtKill && !report.postgresRestart) {
          const atMs = Date.now() - chaosStart;
          output.write(`[chaos ${new Date().toISOString()}] restarting Postgres\n`);
          report.postgresRestart = await pg.restart().then(
            (r) => ({ atMs, downMs: r.downMs }),
            (err) => ({ atMs, downMs: -1, error: (err as Error).message }),
          );
          log(`${phase}: Postgres restarted (${report.postgresRestart.downMs} ms)`);
        }
      }
      await sleep(250);
    }
    if (chaos && !report.postgresRestart) {
      // The simulations ended before the planned restart: restart anyway, the rest of the run goes on it.
      report.postgresRestart = await pg.restart().then(
        (r) => ({ atMs: Date.now() - chaosStart, downMs: r.downMs }),
        (err) => ({ atMs: Date.now() - chaosStart, downMs: -1, error: (err as Error).message }),
      );
    }
    log(`${phase}: kills done (${report.kills.length}); waiting for the services and the last simulations`);

    // Every service back (one killed last may be in its back-off), then simulations that failed
    // resumable are resumed (POST /simulations/:id/resume), at most twice each.
    await supervisor.waitHealthy(supervisor.SERVICES.map((s) => stack.urls[s]), Math.max(5_000, Math.min(90_000, deadline - Date.now()))).catch((err) => report.errors.push(`services not healthy after the kills: ${(err as Error).message}`));
    while (Date.now() < deadline) {
      await refreshStatuses(pool, tracked).catch(() => undefined);
      const resumable = tracked.filter((t) => t.endedAt !== null && t.status === 'failed' && t.resumable && t.resumed < 2);
      for (const t of resumable) {
        const r = await postRetrying(`${api}/simulations/${t.simulationId}/resume`, {}, Math.min(deadline, Date.now() + 30_000));
        t.resumed++;
        log(`${phase}: resume ${t.simulationId} (seed ${t.seed}): ${r.status}`);
        if (r.status >= 200 && r.status < 300) {
          t.endedAt = null;
          t.status = 'running';
        } else report.errors.push(`POST /simulations/${t.simulationId}/resume: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      }
      if (tracked.every((t) => t.endedAt !== null)) break;
      await sleep(500);
    }
    const lastEnd = Math.max(...tracked.map((t) => t.endedAt ?? Date.now()));

    // No container two reaper intervals after the end.
    await sleep(Math.max(0, lastEnd + 2 * options.reapIntervalMs - Date.now()));
    const containers = await containersOf(instanceId).catch((err) => {
      report.errors.push(`listing containers: ${(err as Error).message}`);
      return [];
    });
    const ids = new Set(tracked.map((t) => t.simulationId));
    report.otherContainersLeft = containers.filter((c) => !ids.has(c.simulationId)).map((c) => ({ name: c.name, state: c.state }));

    for (const t of tracked) {
      report.simulations.push({
        seed: t.seed,
        wave: t.wave,
        simulationId: t.simulationId,
        status: t.endedAt === null ? `not ended (${t.status})` : t.status,
        wallMs: (t.endedAt ?? Date.now()) - t.startedAt,
        resumed: t.resumed,
        featuresDone: [],
        containersLeft: containers.filter((c) => c.simulationId === t.simulationId).map((c) => ({ name: c.name, state: c.state, sandboxId: c.sandboxId })),
      });
    }
    report.llm = await llmMetrics(stack.urls['llm-simulator']);

    // The history of each, and its replay.
    for (const s of report.simulations) {
      s.history = await checkHistory(pool, s.simulationId).catch((err) => {
        report.errors.push(`checking the history of ${s.simulationId}: ${(err as Error).message}`);
        return undefined;
      });
      s.featuresDone = s.history?.featuresDone ?? [];
    }
    if (options.replay && (chaos || options.replayBaseline)) {
      for (const s of report.simulations) {
        if (Date.now() > deadline) {
          s.replay = { status: 'skipped', identical: null, firstDivergence: null, error: 'the run reached its time bound' };
          continue;
        }
        if (s.status !== 'completed') {
          s.replay = { status: 'skipped', identical: null, firstDivergence: null, error: `the simulation is ${s.status}` };
          continue;
        }
        const waitMs = Math.max(5_000, Math.min(60_000, deadline - Date.now()));
        const r = await postRetrying(`${api}/simulations/${s.simulationId}/replay`, { waitMs }, Date.now() + waitMs + 10_000, waitMs + 10_000);
        s.replay =
          r.status === 200 || r.status === 202
            ? { status: r.body.status === 'running' ? `still running after ${waitMs} ms (replay ${r.body.replayId})` : r.body.status, identical: r.body.identical ?? null, firstDivergence: r.body.firstDivergence ?? null, compared: r.body.compared, replayId: r.body.replayId }
            : { status: `http ${r.status}`, identical: null, firstDivergence: null, error: JSON.stringify(r.body).slice(0, 500) };
      }
    }
  } catch (err) {
    report.errors.push(`${phase}: ${(err as Error).stack ?? String(err)}`);
    // What ran so far is still reported.
    for (const t of tracked.filter((t) => !report.simulations.some((s) => s.simulationId === t.simulationId))) {
      report.simulations.push({ seed: t.seed, wave: t.wave, simulationId: t.simulationId, status: t.endedAt === null ? `not ended (${t.status})` : t.status, wallMs: Date.now() - t.startedAt, resumed: t.resumed, featuresDone: [], containersLeft: [] });
    }
  } finally {
    report.wallMs = Date.now() - t0;
    await stack.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
    output.end();
    // Nothing of ours stays on the machine: the containers of this phase's instance go.
    const left = await containersOf(instanceId).catch(() => []);
    if (left.length) await docker(['rm', '-f', ...left.map((c) => c.id)], 120_000).catch(() => undefined);
    report.containersRemovedAtCleanup = left.length;
    rmSync(workspaces, { recursive: true, force: true });
  }
  return report;
}

/** For a simulation that did not complete: its last events and what was dead-lettered. */
function whereItStands(s: SimulationResult): string {
  if (!s.history) return '';
  const dead = s.history.deadLettered.map((d) => `${d.subscription}/${d.type}: ${d.error.split('\n')[0].slice(0, 160)}`);
  return `; ${s.history.events} events, the last: ${s.history.lastEvents.join(', ') || 'none'}${dead.length ? `; dead-lettered: ${[...new Set(dead)].join('; ')}` : ''}`;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The whole chaos test; never throws for what it finds (the report says), only for a broken set-up. */
export async function runChaos(options: ChaosOptions, mode = 'custom'): Promise<ChaosReport> {
  const t0 = Date.now();
  const deadline = t0 + options.timeoutMs;
  const { log } = options;
  const errors: string[] = [];
  const pg = await startPostgresInstance(log);
  const onExit = () => pg.destroy();
  process.on('exit', onExit);
  let baseline: PhaseReport | null = null;
  let chaos: PhaseReport | null = null;
  try {
    const { migrate } = fromDist<MigrateModule>('db/migrate.js');
    await pg.createDatabase('chaos_template');
    await migrate(pg.url('chaos_template'));
    await pg.createDatabase('chaos_baseline', 'chaos_template');
    await pg.createDatabase('chaos_faults', 'chaos_template');
    log(`migrated; baseline: ${options.simulations} simulations of ${options.example}, seeds ${options.seedBase}…${options.seedBase + options.simulations - 1}`);
    // The baseline gets at most 40% of the time: the chaos phase needs the rest.
    baseline = await runPhase({ phase: 'baseline', pg, database: 'chaos_baseline', options, deadline: t0 + 0.4 * options.timeoutMs });
    log(`baseline done in ${Math.round(baseline.wallMs / 1000)} s`);
    if (!baseline.simulations.some((s) => s.status === 'completed')) throw new Error('the chaos phase was skipped: no simulation of the fault-free baseline completed (see failures)');
    const baselineSimMs = Math.max(1, ...baseline.simulations.map((s) => s.wallMs));
    // The faults slow the simulations down: minKills over about 1.2× the fault-free time (more come while they last).
    const killGapMs = options.killGapMs || Math.min(10_000, Math.max(1_000, (1.2 * baselineSimMs) / options.minKills));
    log(`chaos: kills every ${(killGapMs / 1000).toFixed(1)} s on average, ${options.minKills}–${options.maxKills} kills`);
    chaos = await runPhase({ phase: 'chaos', pg, database: 'chaos_faults', options, deadline, killGapMs });
  } catch (err) {
    errors.push((err as Error).stack ?? String(err));
  } finally {
    pg.destroy();
    process.removeListener('exit', onExit);
  }
  return compare(options, mode, t0, baseline, chaos, errors);
}

function compare(options: ChaosOptions, mode: string, t0: number, baseline: PhaseReport | null, chaos: PhaseReport | null, errors: string[]): ChaosReport {
  const failures: string[] = [];
  const warnings: string[] = [];
  errors.push(...(baseline?.errors ?? []).map((e) => `baseline: ${e}`), ...(chaos?.errors ?? []).map((e) => `chaos: ${e}`));
  const baseBySeed = new Map((baseline?.simulations ?? []).map((s) => [s.seed, s]));

  const baselineOut = (baseline?.simulations ?? []).map((s) => {
    const f: string[] = [];
    if (s.status !== 'completed') f.push(`baseline seed ${s.seed} (${s.simulationId}): ${s.status}, not completed (without any fault)${whereItStands(s)}`);
    for (const x of s.history?.failures ?? []) f.push(`baseline seed ${s.seed} (${s.simulationId}): ${x}`);
    if (s.replay && s.replay.identical !== true) f.push(`baseline seed ${s.seed} (${s.simulationId}): replay ${s.replay.status}${s.replay.error ? ` (${s.replay.error})` : ''}, first divergence ${JSON.stringify(s.replay.firstDivergence)}`);
    if (s.containersLeft.length) f.push(`baseline seed ${s.seed} (${s.simulationId}): ${s.containersLeft.length} containers left ${2 * options.reapIntervalMs} ms after the end: ${s.containersLeft.map((c) => `${c.name} (${c.state})`).join(', ')}`);
    failures.push(...f);
    return { seed: s.seed, simulationId: s.simulationId, status: s.status, featuresDone: s.featuresDone, wallMs: s.wallMs, replay: s.replay ?? null, failures: f };
  });

  const simulations = (chaos?.simulations ?? []).map((s) => {
    const base = baseBySeed.get(s.seed) ?? null;
    const who = `chaos seed ${s.seed} wave ${s.wave} (${s.simulationId})`;
    const f: string[] = [];
    if (s.status !== 'completed') {
      const end = s.history?.simulationEnd.filter((e) => e.type !== 'SimulationResumed').pop();
      f.push(`${who}: ${s.status}, not completed${end?.code ? ` — ${end.code}: ${end.reason}${end.resumable ? ' (resumable)' : ''}` : ''}${whereItStands(s)}`);
    }
    const baseDone = base?.featuresDone ?? null;
    const missing = baseDone ? baseDone.filter((x) => !s.featuresDone.includes(x)) : [];
    const extra = baseDone ? s.featuresDone.filter((x) => !baseDone.includes(x)) : [];
    if (!base) f.push(`${who}: no baseline simulation of seed ${s.seed} to compare with`);
    else if (missing.length || extra.length) {
      const why = (s.history?.featuresAbandoned ?? []).filter((a) => missing.includes(a.featureId)).map((a) => `${a.featureId}: ${a.code} "${a.reason}"`);
      f.push(`${who}: features done [${s.featuresDone.join(', ')}], the fault-free run of seed ${s.seed} did [${baseDone!.join(', ')}]${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; extra ${extra.join(', ')}` : ''}${why.length ? `; abandoned: ${why.join('; ')}` : ''}`);
    }
    for (const x of s.history?.failures ?? []) f.push(`${who}: ${x}`);
    for (const x of s.history?.warnings ?? []) warnings.push(`${who}: ${x}`);
    if (!s.history) f.push(`${who}: its history could not be checked`);
    if (options.replay) {
      if (!s.replay) f.push(`${who}: not replayed`);
      else if (s.replay.identical !== true) f.push(`${who}: replay ${s.replay.status}${s.replay.error ? ` (${s.replay.error})` : ''}${s.replay.firstDivergence ? `, first divergence ${JSON.stringify(s.replay.firstDivergence).slice(0, 800)}` : ''}`);
    }
    if (s.containersLeft.length) f.push(`${who}: ${s.containersLeft.length} containers left ${2 * options.reapIntervalMs} ms after the end: ${s.containersLeft.map((c) => `${c.name} (${c.state})`).join(', ')}`);
    failures.push(...f);
    return {
      seed: s.seed,
      wave: s.wave,
      simulationId: s.simulationId,
      baselineSimulationId: base?.simulationId ?? null,
      status: s.status,
      baselineStatus: base?.status ?? null,
      wallMs: s.wallMs,
      baselineWallMs: base?.wallMs ?? null,
      resumed: s.resumed,
      featuresDone: s.featuresDone,
      baselineFeaturesDone: baseDone,
      sameFeaturesDone: !!baseDone && same(baseDone, s.featuresDone),
      missingFeatures: missing,
      extraFeatures: extra,
      featuresAbandoned: s.history?.featuresAbandoned ?? [],
      infrastructureRetries: s.history?.infrastructureRetries ?? null,
      events: s.history ?? null,
      replay: s.replay ?? null,
      containersLeft: s.containersLeft,
      failures: f,
    };
  });

  if (!chaos) failures.push('the chaos phase did not run');
  else {
    if (chaos.simulations.length === 0) failures.push('the chaos phase started no simulation');
    if (chaos.kills.length < options.minKills) failures.push(`only ${chaos.kills.length} kills were done (at least ${options.minKills} wanted): the simulations ended or the run reached its bound first`);
    if (!chaos.postgresRestart || chaos.postgresRestart.error) failures.push(`Postgres was not restarted${chaos.postgresRestart?.error ? `: ${chaos.postgresRestart.error}` : ''}`);
    if (chaos.otherContainersLeft.length) failures.push(`containers of the chaos run's sandbox-control left with no simulation of the run: ${chaos.otherContainersLeft.map((c) => `${c.name} (${c.state})`).join(', ')}`);
  }
  if (baseline?.otherContainersLeft.length) failures.push(`containers of the baseline's sandbox-control left with no simulation of the run: ${baseline.otherContainersLeft.map((c) => `${c.name} (${c.state})`).join(', ')}`);
  if (errors.length) failures.push(`the harness met ${errors.length} errors (see errors)`);

  const byService: Record<string, number> = {};
  for (const k of chaos?.kills ?? []) byService[k.service] = (byService[k.service] ?? 0) + 1;
  const { log: _log, ...printable } = options;
  return {
    ok: failures.length === 0,
    mode,
    options: printable,
    timeMs: Date.now() - t0,
    kills: { done: chaos?.kills.length ?? 0, byService, required: options.minKills },
    postgresRestarts: chaos?.postgresRestart && !chaos.postgresRestart.error ? 1 : 0,
    llm: chaos?.llm ?? { requests: null, faults: {} },
    simulations,
    baseline: { wallMs: baseline?.wallMs ?? 0, simulations: baselineOut },
    failures,
    warnings,
    errors,
  };
}

/** Options from the environment over a preset: CHAOS_SIMULATIONS, CHAOS_MIN_KILLS, CHAOS_MAX_KILLS, CHAOS_TIMEOUT_MS, … */
export function optionsFromEnv(preset: Omit<ChaosOptions, 'log' | 'logDir'>, env: NodeJS.ProcessEnv = process.env): Omit<ChaosOptions, 'log' | 'logDir'> {
  const num = (name: string, fallback: number) => (env[name] !== undefined && env[name] !== '' && Number.isFinite(Number(env[name])) ? Number(env[name]) : fallback);
  return {
    ...preset,
    simulations: num('CHAOS_SIMULATIONS', preset.simulations),
    seedBase: num('CHAOS_SEED_BASE', preset.seedBase),
    minKills: num('CHAOS_MIN_KILLS', preset.minKills),
    maxKills: num('CHAOS_MAX_KILLS', preset.maxKills),
    maxWaves: num('CHAOS_MAX_WAVES', preset.maxWaves),
    killGapMs: num('CHAOS_KILL_GAP_MS', preset.killGapMs),
    llmFault503: num('CHAOS_LLM_503', preset.llmFault503),
    llmFaultReset: num('CHAOS_LLM_RESET', preset.llmFaultReset),
    timeScale: env.CHAOS_TIME_SCALE || preset.timeScale,
    reapIntervalMs: num('CHAOS_REAP_INTERVAL_MS', preset.reapIntervalMs),
    replay: env.CHAOS_REPLAY ? env.CHAOS_REPLAY !== '0' : preset.replay,
    timeoutMs: num('CHAOS_TIMEOUT_MS', preset.timeoutMs),
    chaosSeed: num('CHAOS_SEED', preset.chaosSeed),
  };
}

export const defaultLogDir = () => join(REPO_ROOT, 'logs', `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}`);
