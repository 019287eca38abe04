import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChaosReport, SHORT_OPTIONS, defaultLogDir, optionsFromEnv, runChaos } from '../chaos/chaos-run';

/**
 * The short chaos test (issue 10, point 4; `npm run chaos` is the long one): 3 simulations of the
 * text-utils example, first fault-free, then under 15–25 SIGKILLs of random service processes, one
 * restart of (its own) Postgres and 10% of LLM answers a 503 or a reset. Every simulation must
 * complete with the features its fault-free twin did, with no event lost or duplicated, replay
 * identically and leave no container. The whole report is printed as JSON; the assertion shows
 * the list of what differed.
 */
describe('chaos', () => {
  it('simulations under killed services, a Postgres restart and LLM faults report what they report without faults', async () => {
    const logDir = defaultLogDir();
    mkdirSync(logDir, { recursive: true });
    const log = (msg: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
    const report: ChaosReport = await runChaos({ ...optionsFromEnv(SHORT_OPTIONS), log, logDir }, 'short');
    const json = JSON.stringify(report, null, 2);
    writeFileSync(join(logDir, 'report.json'), json + '\n');
    process.stdout.write(`chaos report (${join(logDir, 'report.json')}):\n${json}\n`);

    expect(report.errors).toEqual([]);
    expect(report.kills.done).toBeGreaterThanOrEqual(SHORT_OPTIONS.minKills);
    expect(report.postgresRestarts).toBe(1);
    expect(report.failures).toEqual([]);
  }, SHORT_OPTIONS.timeoutMs + 60_000);
});
