/**
 * `npm run chaos`: the long chaos test (at least 100 kills; CHAOS_MODE=short for the short one).
 * Progress on stderr; the report as JSON on stdout (and in logs/chaos-<time>/report.json, beside
 * the services' output). Exit code 0 when every check held, 1 otherwise.
 * Settings: see optionsFromEnv in chaos-run.ts (CHAOS_SIMULATIONS, CHAOS_MIN_KILLS, CHAOS_TIMEOUT_MS, …).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LONG_OPTIONS, SHORT_OPTIONS, defaultLogDir, optionsFromEnv, runChaos } from './chaos-run';

async function main(): Promise<number> {
  const mode = process.env.CHAOS_MODE === 'short' ? 'short' : 'long';
  const logDir = process.env.CHAOS_LOG_DIR || defaultLogDir();
  mkdirSync(logDir, { recursive: true });
  const log = (msg: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  log(`${mode} run; service logs and report in ${logDir}`);
  const report = await runChaos({ ...optionsFromEnv(mode === 'short' ? SHORT_OPTIONS : LONG_OPTIONS), log, logDir }, mode);
  const json = JSON.stringify(report, null, 2);
  writeFileSync(join(logDir, 'report.json'), json + '\n');
  process.stdout.write(json + '\n');
  log(report.ok ? 'every check held' : `${report.failures.length} failures (report.json: failures)`);
  return report.ok ? 0 : 1;
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The exit handler stops the chaos Postgres; the supervisor's children get the signal from the terminal too.
    if (stopping) return;
    stopping = true;
    process.exit(130);
  });
}
main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`chaos test failed to run: ${(err as Error).stack}\n`);
    process.exit(2);
  },
);
