/**
 * Re-records the replay corpus (test/fixtures/corpus/*.bundle.ndjson.gz): runs each case through
 * the services as processes (real Postgres, Docker, the LLM simulator), exports its bundle, and
 * writes it — unless the stored file is the same run (corpus-comparison.ts), which is then kept
 * byte for byte, so that the diff of a re-recording shows only what behaves differently.
 *
 *   npm run corpus:record                    every case
 *   CORPUS_ONLY=review-conflict npm run corpus:record
 *
 * Needs the build (npm run build) and `npm run setup`'s Postgres and sandbox images.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '@swe-sim/testing';
import { loadExample } from '../../examples/load-example';
import { bundleLines, sealBundle } from '../support/bundles';
import { SimulationStack, finished, startSimulationStack, twoModuleProject } from '../support/simulation-stack';
import { compareRecordings } from './corpus-comparison';
import { CORPUS_CASES, CorpusCase, corpusFile } from './corpus-cases';

const CORPUS_DIR = join(REPO_ROOT, 'test/fixtures/corpus');

/** The project a case runs on. */
const projectOf = (c: CorpusCase) => (c.project === 'two-modules' ? twoModuleProject() : loadExample(c.project).body);
const scriptOf = (c: CorpusCase) => (c.script.endsWith('.json') ? c.script : loadExample(c.script).scriptPath);

async function exportBundle(stack: SimulationStack, simulationId: string): Promise<string[]> {
  const r = await fetch(`${stack.pm.url}/simulations/${simulationId}/export?format=bundle`);
  if (r.status !== 200) throw new Error(`export of ${simulationId}: ${r.status} ${await r.text()}`);
  return (await r.text()).split('\n').filter(Boolean);
}

/** ProjectCreated as version 1 wrote it (no backlogSource): the corpus keeps an old version, to prove upcasting. */
function projectCreatedAsV1(lines: string[]): string[] {
  return lines.map((l) => {
    const v = JSON.parse(l);
    if (v.kind !== 'event' || v.type !== 'ProjectCreated' || v.schemaVersion !== 2) return l;
    const { backlogSource, ...data } = v.data;
    if (backlogSource !== 'user') throw new Error('only a user-given backlog existed in ProjectCreated v1');
    return JSON.stringify({ ...v, schemaVersion: 1, data });
  });
}

/** Runs the cases of one script on one stack; returns each case's simulation id. */
async function record(script: string, cases: CorpusCase[], only: string | undefined): Promise<void> {
  const stack = await startSimulationStack(script);
  const ids = new Map<string, string>();
  try {
    for (const c of cases) {
      let simulationId: string;
      if (c.fork) {
        const original = ids.get(c.fork.of)!;
        // At its first sprint's start: what came before (formation, planning) is settled whatever the
        // interleaving, so the cut counts the same events in every recording.
        const [sprint] = (await stack.db.pool.query("SELECT global_position::int AS p FROM events WHERE simulation_id = $1 AND type = 'SprintStarted' ORDER BY global_position LIMIT 1", [original])).rows;
        const at = sprint.p;
        const r = await stack.post(`/simulations/${original}/fork`, { atPosition: at, overrides: c.fork.overrides });
        if (r.status !== 201) throw new Error(`fork: ${r.status} ${JSON.stringify(r.body)}`);
        simulationId = r.body.simulationId;
      } else {
        const project = await stack.post('/projects', projectOf(c));
        const r = await stack.post(`/projects/${project.body.projectId}/simulations`, c.start);
        if (r.status !== 201) throw new Error(`start: ${r.status} ${JSON.stringify(r.body)}`);
        simulationId = r.body.simulationId;
      }
      const sim = await stack.waitFor(simulationId, finished, 240_000);
      ids.set(c.name, simulationId);
      // With CORPUS_ONLY, a fork's original is compared too: the fork must name an original the corpus has.
      if (only && c.name !== only && !CORPUS_CASES.some((f) => f.name === only && f.fork?.of === c.name)) continue;
      let lines = await exportBundle(stack, simulationId);
      if (c.projectCreatedV1) lines = projectCreatedAsV1(lines);
      const path = join(CORPUS_DIR, corpusFile(c.name));
      const stored = existsSync(path) ? bundleLines(path) : null;
      const verdict = stored ? compareRecordings(stored, lines) : { same: false, difference: 'new case' };
      if (verdict.same) {
        // Its forks are made from the stored history (imported here), so that they name an original the corpus has.
        const r = await fetch(`${stack.pm.url}/simulations/import`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: readFileSync(path) });
        if (r.status !== 201) throw new Error(`import of the stored ${c.name}: ${r.status} ${await r.text()}`);
        ids.set(c.name, JSON.parse(stored![0]).simulationId);
        process.stdout.write(`${c.name}: ${sim.status}, the same run as stored: kept\n`);
        continue;
      }
      // Gzipped as the export gzips (zlib defaults): a round trip through an installation gives the same bytes.
      writeFileSync(path, gzipSync(Buffer.from(sealBundle(lines))));
      process.stdout.write(`${c.name}: ${sim.status}, recorded (${verdict.difference})\n`);
    }
  } finally {
    await stack.stop();
  }
}

async function main() {
  const only = process.env.CORPUS_ONLY || undefined;
  if (only && !CORPUS_CASES.some((c) => c.name === only)) throw new Error(`CORPUS_ONLY=${only}: no such case (${CORPUS_CASES.map((c) => c.name).join(', ')})`);
  const scripts = [...new Set(CORPUS_CASES.map(scriptOf))];
  for (const script of scripts) {
    const cases = CORPUS_CASES.filter((c) => scriptOf(c) === script);
    // A fork needs its original run in the same installation.
    if (only && !cases.some((c) => c.name === only || (c.fork && c.fork.of === only) || cases.find((o) => o.name === only)?.fork?.of === c.name)) continue;
    await record(script, cases, only);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
