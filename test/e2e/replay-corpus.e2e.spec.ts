import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@swe-sim/testing';
import { CORPUS_CASES, corpusFile } from '../corpus/corpus-cases';
import { SimulationStack, startSimulationStack } from '../support/simulation-stack';

/**
 * Issue 16: the replay corpus (test/fixtures/corpus, recorded by `npm run corpus:record`), imported
 * into a fresh installation and replayed against today's code: each history must re-execute
 * identically. A change that alters behaviour by accident fails here, naming the file, the stream
 * and the fields where the replay first differs; one that alters it on purpose re-records the corpus.
 */
describe('the replay corpus', () => {
  let stack: SimulationStack;
  /** Each case's replay, started as soon as its history is imported (they run side by side). */
  const replays = new Map<string, string>();

  beforeAll(async () => {
    // Replays ask no LLM: any script does.
    stack = await startSimulationStack('simulation-complete.json');
  });
  afterAll(() => stack?.stop());

  it('imports every recorded history, originals before their forks, and replays each', async () => {
    for (const c of [...CORPUS_CASES].sort((a, b) => Number(!!a.fork) - Number(!!b.fork))) {
      const body = readFileSync(join(REPO_ROOT, 'test/fixtures/corpus', corpusFile(c.name)));
      const r = await fetch(`${stack.pm.url}/simulations/import`, { method: 'POST', headers: { 'content-type': 'application/gzip' }, body });
      const answer: any = await r.json();
      expect({ file: corpusFile(c.name), status: r.status }).toEqual({ file: corpusFile(c.name), status: 201 });
      const replay = await stack.post(`/simulations/${answer.simulationId}/replay`, { waitMs: 0 });
      expect({ file: corpusFile(c.name), status: replay.status }).toEqual({ file: corpusFile(c.name), status: 202 });
      replays.set(c.name, replay.body.replayId);
    }
  });

  it.each(CORPUS_CASES.map((c) => [corpusFile(c.name), c.name]))('%s replays identically', async (file, name) => {
    const replayId = replays.get(name);
    if (!replayId) throw new Error(`${file} was not imported`);
    const { replay } = await stack.waitFor(replayId, (s) => !!s.replay, 50_000);
    const d = replay.firstDivergence;
    // On a divergence: the file, the stream, the events there and the fields that differ.
    const divergence = d
      ? `${file} diverges in stream ${d.streamId} at event ${d.index}: recorded ${d.expected?.type ?? 'nothing'}, now ${d.actual?.type ?? 'nothing'}\n  ${d.differences.join('\n  ')}`
      : null;
    expect({ file, identical: replay.identical, divergence }).toEqual({ file, identical: true, divergence: null });
  }, 60_000);
});
