/**
 * Load benchmark (`BENCH=load`): many simulations of the examples at once, through every service as
 * its own process and the LLM simulator at time scale 1 (its default batching timing, calibrated on
 * Llama 3.1 70B on 8 GPUs), on a fresh database. Issue 10, point 5.
 *
 * One project per example (examples/*), BENCH_LOAD_SIMULATIONS simulations (default 50) started at
 * once through the API, simulation i on example i mod 3 with seed 1000 + i and default settings
 * (1 team); the simulator answers with the examples' scripts merged. Figures, one JSON line each:
 *
 *  - wall time from the first start to the last end; baseline: the time the LLM had at least one
 *    request in flight (ratio − 1 is how much longer than the LLM's busy time the run took).
 *  - LLM requests in flight against what the agents could have had in flight:
 *      in flight(t)  = requests the simulator's engine held (running + waiting), sampled every 20 ms;
 *      available(t)  = agent steps whose next step was an LLM call at t, from the events:
 *        · a vote: from the commit of its PlanningPokerRoundStarted (the round that names the voter)
 *          to the commit of that voter's EstimateCast for the round;
 *        · an agent task: from the commit of the task event before an LLM-result event
 *          (AgentTurnTaken, ReviewApproved, ReviewCommented) to the commit of that result.
 *      at most the gateway's bound on requests in flight (LLM_MAX_IN_FLIGHT, 50 by default: what
 *      the agents could have had in flight at once; the note gives the unbounded mean).
 *      So available − in flight is the agent work whose LLM call our services had not (yet) sent:
 *      subscription latency, reading and folding, recording LlmCallRequested/LlmCallCompleted and the
 *      result, the request worker's concurrency. (A step that waits on a sandbox or on another agent
 *      is not available.) Mean over the run, and mean over the time some work was available;
 *      value = in flight, baseline = available. Target (issue 10): ratio ≥ 0.8.
 *  - CPU ms per LLM call of each service process (utime + stime of /proc/<pid>/stat from just
 *    before the starts to the last end, over the LLM calls the simulator completed), and of the
 *    three that are not sandbox-control together. Baseline: the target, 10 ms (the issue's bound
 *    for the three together; sandbox-control's CPU follows Docker work, not LLM calls).
 *  - Postgres work per LLM call (this database's pg_stat_database over the same span): transactions,
 *    and rows fetched + returned. Baseline: the figures of main f5c1f9f (ref: REFERENCE.md).
 *  - after the run: each service's time from SIGTERM to exit, idle (target ≤ 2 s, exit code 0).
 *
 * Environment: BENCH_LOAD_SIMULATIONS (50), BENCH_LOAD_TIMEOUT_MS (1,800,000),
 * BENCH_LOAD_TIME_SCALE (1: real time), BENCH_LOAD_LOG_LEVEL (info, the services' default),
 * BENCH_LOAD_CPU_PROF (a directory: each service writes a CPU profile of its whole life there when it
 * stops; summarise one with `node dist/bench/support/cpu-profile-summary.js FILE`), BENCH_LOAD_SQL_CENSUS
 * (1: count each service's SQL statements over the measured span and print the top ones per LLM
 * call; both add some CPU of their own), BENCH_LOAD_EXAMPLES (comma-separated, default all).
 * Run alone: `node dist/bench/load.bench.js`.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RuleSpec, ScriptSpec } from '../apps/llm-simulator/src';
import { EXAMPLE_NAMES, LoadedExample, loadExample } from '../examples/load-example';
import { SERVICES } from '../scripts/service-supervisor';
import { Pool } from 'pg';
import { BenchFigure, figure } from './bench-kit';
import { envNumber, runAsMain, sampleInFlight, startBenchStack } from './support/bench-stack';

type LoadFigure = BenchFigure & { target?: string; pass?: boolean; note?: string };

const env = process.env;
const num = envNumber;

/** The gateway's bound on requests in flight (agent-execution's LLM_MAX_IN_FLIGHT; its default). */
export const LLM_MAX_IN_FLIGHT = num('LLM_MAX_IN_FLIGHT', 50);

/** The issue's targets. */
export const TARGET_IN_FLIGHT_RATIO = 0.8;
const TARGET_CPU_MS_PER_CALL = 10;
const TARGET_SHUTDOWN_MS = 2000;
/** Measured on main f5c1f9f (REFERENCE.md, "Where the services' CPU goes"): 15 simulations, 371 LLM calls. */
const F5C1F9F = { transactionsPerCall: 48_156 / 371, rowsPerCall: 962_000 / 371 };

const LLM_RESULT_TYPES = new Set(['AgentTurnTaken', 'ReviewApproved', 'ReviewCommented']);
const END_TYPES = ['SimulationCompleted', 'SimulationFailed', 'SimulationCancelled'];

/**
 * The examples' scripts as one: every rule that names a feature (by `contains` or `system`; feature
 * ids differ across the examples) first, then the catch-all rules of the first example only, which
 * would otherwise shadow the next examples' own rules.
 */
export function mergedScript(examples: LoadedExample[]): ScriptSpec {
  const rulesOf = (s: ScriptSpec): RuleSpec[] => (Array.isArray(s) ? s : (s.rules ?? [])) as RuleSpec[];
  const specific = examples.flatMap((e) => rulesOf(e.script).filter((r) => r.match?.contains !== undefined || r.match?.system !== undefined));
  const generic = rulesOf(examples[0].script).filter((r) => r.match?.contains === undefined && r.match?.system === undefined);
  return [...specific, ...generic];
}

/** utime + stime of a process in ms (all its threads: JS, GC helpers, libuv's pool; user and kernel). */
function cpuMs(pid: number): number {
  const { user, system } = cpuSplit(pid);
  return user + system;
}

function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) in parentheses; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** A step function's integral and the integral over where another step function is positive. */
interface Step {
  t: number;
  delta: number;
}

/**
 * available(t) from the events (see the header): one +1 at each interval's start, −1 at its end.
 */
function availableSteps(rows: { stream_id: string; type: string; data: any; at: number }[]): Step[] {
  const steps: Step[] = [];
  const interval = (from: number, to: number) => {
    if (!(to > from)) return;
    steps.push({ t: from, delta: 1 }, { t: to, delta: -1 });
  };
  const byStream = new Map<string, typeof rows>();
  for (const r of rows) (byStream.get(r.stream_id) ?? byStream.set(r.stream_id, []).get(r.stream_id)!).push(r);
  for (const [stream, events] of byStream) {
    if (stream.startsWith('task-')) {
      for (let i = 1; i < events.length; i++) if (LLM_RESULT_TYPES.has(events[i].type)) interval(events[i - 1].at, events[i].at);
    } else if (stream.startsWith('poker-')) {
      const roundStart = new Map<number, number>();
      for (const e of events) {
        if (e.type === 'PlanningPokerRoundStarted') roundStart.set(e.data.round, e.at);
        else if (e.type === 'EstimateCast' && roundStart.has(e.data.round)) interval(roundStart.get(e.data.round)!, e.at);
      }
    }
  }
  return steps.sort((a, b) => a.t - b.t);
}

/** ∫ in-flight and ∫ available over [t0, t1], and the same over the time available > 0 (and its length). */
function integrate(inFlight: { t: number; n: number }[], available: Step[], t0: number, t1: number, cap: number) {
  // Merge both into one timeline of (t, inFlight, available) segments.
  const points = new Set<number>([t0, t1]);
  inFlight.forEach((s) => s.t > t0 && s.t < t1 && points.add(s.t));
  available.forEach((s) => s.t > t0 && s.t < t1 && points.add(s.t));
  const ts = [...points].sort((a, b) => a - b);
  let fi = 0;
  let ai = 0;
  let flight = 0;
  let avail = 0;
  const out = { flight: 0, avail: 0, uncapped: 0, flightWhileAvail: 0, availTime: 0, llmBusyTime: 0 };
  for (let k = 0; k < ts.length - 1; k++) {
    const t = ts[k];
    while (fi < inFlight.length && inFlight[fi].t <= t) flight = inFlight[fi++].n;
    while (ai < available.length && available[ai].t <= t) avail += available[ai++].delta;
    const dt = ts[k + 1] - t;
    out.flight += flight * dt;
    out.avail += Math.min(avail, cap) * dt;
    out.uncapped += avail * dt;
    if (avail > 0) {
      out.flightWhileAvail += flight * dt;
      out.availTime += dt;
    }
    if (flight > 0) out.llmBusyTime += dt;
  }
  return out;
}

/**
 * LLM requests in flight (sampled) against the agent steps whose next step was an LLM call (from the
 * simulations' events, see the header), integrated over [t0, t1] with the gateway's bound.
 */
export async function inFlightAgainstAvailable(pool: Pick<Pool, 'query'>, ids: string[], inFlight: { t: number; n: number }[], t0: number, t1: number) {
  const rows = (
    await pool.query(
      `SELECT stream_id, type, data, (metadata->>'recordedAt')::timestamptz AS at FROM events
       WHERE simulation_id = ANY($1::uuid[]) AND (stream_id LIKE 'task-%' OR type IN ('PlanningPokerRoundStarted', 'EstimateCast'))
       ORDER BY stream_id, stream_version`,
      [ids],
    )
  ).rows.map((r) => ({ ...r, at: (r.at as Date).getTime() }));
  return integrate(inFlight, availableSteps(rows), t0, t1, LLM_MAX_IN_FLIGHT);
}

/** The SQL census (BENCH_LOAD_SQL_CENSUS) per service: statements and rows per LLM call, the top statements. */
function logCensus(dir: string, calls: number, log: (line: string) => void): void {
  for (const file of readdirSync(dir).sort()) {
    const rows = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { sql: string; n: number; rows: number }[];
    const n = rows.reduce((a, r) => a + r.n, 0);
    const fetched = rows.reduce((a, r) => a + r.rows, 0);
    log(`[load] SQL census ${file}: ${(n / calls).toFixed(1)} statements and ${(fetched / calls).toFixed(0)} rows per LLM call`);
    for (const r of rows.slice(0, 12)) log(`    ${(r.n / calls).toFixed(2).padStart(7)} /call ${(r.rows / calls).toFixed(0).padStart(6)} rows  ${r.sql}`);
  }
}

export async function run(log: (line: string) => void): Promise<LoadFigure[]> {
  const simulations = num('BENCH_LOAD_SIMULATIONS', 50);
  const timeoutMs = num('BENCH_LOAD_TIMEOUT_MS', 30 * 60_000);
  const timeScale = num('BENCH_LOAD_TIME_SCALE', 1);
  const names = (env.BENCH_LOAD_EXAMPLES?.split(',').map((s) => s.trim()) ?? [...EXAMPLE_NAMES]) as string[];
  const examples = names.map((n) => loadExample(n));
  const profDir = env.BENCH_LOAD_CPU_PROF ? resolve(env.BENCH_LOAD_CPU_PROF) : undefined;
  const censusDir = env.BENCH_LOAD_SQL_CENSUS ? mkdtempSync(join(tmpdir(), 'swe-sim-sql-census-')) : undefined;
  const preloads = [...(profDir ? ['cpu-profile.preload.js'] : []), ...(censusDir ? ['sql-census.preload.js'] : [])];

  const stack = await startBenchStack({
    name: 'load',
    script: mergedScript(examples),
    timeScale,
    env: {
      LOG_LEVEL: env.BENCH_LOAD_LOG_LEVEL ?? 'info',
      // --cpu-prof is not allowed in NODE_OPTIONS: a preload takes the same profile through the inspector.
      ...(preloads.length ? { NODE_OPTIONS: [env.NODE_OPTIONS ?? '', ...preloads.map((p) => `--require ${join(__dirname, 'support', p)}`)].join(' ').trim() } : {}),
      ...(profDir ? { BENCH_CPU_PROF_DIR: profDir } : {}),
      ...(censusDir ? { BENCH_SQL_CENSUS_DIR: censusDir } : {}),
    },
  });
  const { db, sim, services, post } = stack;
  try {
    const projects: string[] = [];
    for (const e of examples) projects.push((await post('/projects', e.body)).projectId);
    log(`[load] ${SERVICES.length} services up, ${examples.length} projects; starting ${simulations} simulations at time scale ${timeScale}`);

    // Whatever the services did at start-up (module loading, migrations checked, subscriptions
    // catching up on the projects) is not the run's: CPU and Postgres counters start here.
    await new Promise((r) => setTimeout(r, 2000));
    const stat = async () =>
      (await db.pool.query('SELECT xact_commit + xact_rollback AS xacts, tup_fetched + tup_returned AS rows FROM pg_stat_database WHERE datname = current_database()')).rows[0];
    const pids = Object.fromEntries(SERVICES.map((s) => [s, services[s].child.pid!]));
    if (censusDir) SERVICES.forEach((s) => process.kill(pids[s], 'SIGUSR2'));
    const cpu0 = Object.fromEntries(SERVICES.map((s) => [s, cpuMs(pids[s])]));
    const split0 = Object.fromEntries(SERVICES.map((s) => [s, cpuSplit(pids[s])]));
    const pg0 = await stat();
    const calls0 = sim.stats().completed;

    const sampler = sampleInFlight(sim);
    const inFlight = sampler.samples;
    const t0 = inFlight[0].t;
    const ids: string[] = await Promise.all(
      Array.from({ length: simulations }, async (_, i) => (await post(`/projects/${projects[i % projects.length]}/simulations`, { seed: 1000 + i, teams: 1 })).simulationId),
    );
    log(`[load] ${ids.length} simulations started in ${Date.now() - t0} ms`);

    // Ends read straight from the log (polling the API would add to project-management's CPU), once
    // a second: the same database's counters are measured, and this read is not the services' work.
    let ended: { simulation_id: string; type: string; at: Date }[] = [];
    let lastReport = 0;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      ended = (
        await db.pool.query(
          `SELECT simulation_id, type, (metadata->>'recordedAt')::timestamptz AS at FROM events WHERE type = ANY($1) AND simulation_id = ANY($2::uuid[])`,
          [END_TYPES, ids],
        )
      ).rows;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        log(`[load] ${Math.round((Date.now() - t0) / 1000)} s: ${ended.length}/${ids.length} ended, ${sim.stats().completed - calls0} LLM calls, ${sim.stats().inEngine} in flight`);
      }
      if (ended.length >= ids.length) break;
      if (Date.now() > deadline) {
        sampler.stop();
        throw new Error(`${ended.length} of ${ids.length} simulations ended within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    sampler.stop();
    const cpu1 = Object.fromEntries(SERVICES.map((s) => [s, cpuMs(pids[s])]));
    for (const s of SERVICES) {
      const split = cpuSplit(pids[s]);
      log(`[load] ${s}: user ${(split.user - split0[s].user).toFixed(0)} ms, system ${(split.system - split0[s].system).toFixed(0)} ms`);
    }
    const calls = sim.stats().completed - calls0;
    await new Promise((r) => setTimeout(r, 1200)); // pg_stat counters are flushed about every second
    const pg1 = await stat();
    const t1 = Math.max(...ended.map((e) => e.at.getTime()));

    const outcomes: Record<string, number> = {};
    for (const e of ended) outcomes[e.type] = (outcomes[e.type] ?? 0) + 1;
    const metrics = (
      await db.pool.query(`SELECT data->'metrics' AS m FROM events WHERE type = 'SimulationCompleted' AND simulation_id = ANY($1::uuid[])`, [ids])
    ).rows.map((r) => r.m);
    const featuresDone = metrics.reduce((n, m) => n + (m?.featuresDone ?? 0), 0);
    const featuresTotal = metrics.reduce((n, m) => n + (m?.featuresTotal ?? 0), 0);
    log(`[load] ended: ${JSON.stringify(outcomes)}; features done ${featuresDone}/${featuresTotal} (completed simulations); ${calls} LLM calls`);

    const integral = await inFlightAgainstAvailable(db.pool, ids, inFlight, t0, t1);
    const wall = t1 - t0;

    const figures: LoadFigure[] = [];
    const tag = `${simulations} simulations`;
    figures.push({ ...figure(`load: wall time, ${tag} (baseline: time the LLM had a request in flight)`, wall / 1000, integral.llmBusyTime / 1000, 's', 'lower'), note: JSON.stringify(outcomes) });
    const meanRatio = integral.flight / integral.avail;
    figures.push({
      ...figure(`load: LLM requests in flight, mean over the run (baseline: agent steps whose next step was an LLM call), ${tag}`, integral.flight / wall, integral.avail / wall, 'requests', 'higher'),
      target: `ratio >= ${TARGET_IN_FLIGHT_RATIO}`,
      pass: meanRatio >= TARGET_IN_FLIGHT_RATIO,
      note: `available without the gateway's bound of ${LLM_MAX_IN_FLIGHT}: ${(integral.uncapped / wall).toFixed(2)}`,
    });
    const whileRatio = integral.flightWhileAvail / integral.avail;
    figures.push({
      ...figure(`load: LLM requests in flight, mean while work was available (baseline: available), ${tag}`, integral.flightWhileAvail / integral.availTime, integral.avail / integral.availTime, 'requests', 'higher'),
      target: `ratio >= ${TARGET_IN_FLIGHT_RATIO}`,
      pass: whileRatio >= TARGET_IN_FLIGHT_RATIO,
    });
    let llmSide = 0;
    for (const s of SERVICES) {
      const perCall = (cpu1[s] - cpu0[s]) / calls;
      if (s !== 'sandbox-control') llmSide += perCall;
      figures.push(figure(`load: CPU per LLM call, ${s} (baseline: the target for the three LLM-side services together), ${tag}`, perCall, TARGET_CPU_MS_PER_CALL, 'ms', 'lower'));
    }
    figures.push({
      ...figure(`load: CPU per LLM call, project-management + team-formation + agent-execution (baseline: the target), ${tag}`, llmSide, TARGET_CPU_MS_PER_CALL, 'ms', 'lower'),
      target: `value <= ${TARGET_CPU_MS_PER_CALL}`,
      pass: llmSide <= TARGET_CPU_MS_PER_CALL,
    });
    figures.push(figure(`load: Postgres transactions per LLM call (baseline: main f5c1f9f), ${tag}`, (pg1.xacts - pg0.xacts) / calls, F5C1F9F.transactionsPerCall, 'transactions', 'lower'));
    figures.push(figure(`load: Postgres rows read per LLM call (baseline: main f5c1f9f), ${tag}`, (pg1.rows - pg0.rows) / calls, F5C1F9F.rowsPerCall, 'rows', 'lower'));
    figures.forEach((f) => log(JSON.stringify(f)));

    // Idle now: each service must stop within 2 s of SIGTERM, with exit code 0.
    for (const s of SERVICES) {
      const started = Date.now();
      const code = await services[s].kill('SIGTERM');
      const ms = Date.now() - started;
      delete services[s];
      const f: LoadFigure = { ...figure(`load: idle ${s} stops after SIGTERM (baseline: the target)`, ms, TARGET_SHUTDOWN_MS, 'ms', 'lower'), target: `value <= ${TARGET_SHUTDOWN_MS} and exit code 0 (got ${code})`, pass: ms <= TARGET_SHUTDOWN_MS && code === 0 };
      figures.push(f);
      log(JSON.stringify(f));
    }
    if (censusDir) logCensus(censusDir, calls, log);
    return figures;
  } finally {
    await stack.stop();
    if (censusDir) rmSync(censusDir, { recursive: true, force: true });
  }
}

if (require.main === module) runAsMain(run);
