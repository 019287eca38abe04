import { MultiBar, Presets } from 'cli-progress';
import { Simulation, eventLine, isEnded } from '@swe-sim/api-client';
import { CliContext } from '../context';
import { EXIT } from '../exit-codes';

const TONES = { ok: '\x1b[32m', bad: '\x1b[31m', warn: '\x1b[33m', dim: '\x1b[2m', title: '\x1b[1m' } as const;

/**
 * Follows a simulation's live history until it ends: the demo's lines on stdout and, on a
 * terminal, a progress bar of features settled. Exit code 0 when it completed, 1 otherwise.
 */
export async function watchSimulation(ctx: CliContext, simulationId: string): Promise<number> {
  const tty = !ctx.json && !!process.stdout.isTTY;
  const paint = (text: string, tone?: keyof typeof TONES) => (tty && tone ? `${TONES[tone]}${text}\x1b[0m` : text);
  let sim: Simulation = await ctx.api.waitForSimulation(simulationId);
  const names: Record<string, string> = {};
  const total = sim.metrics.featuresTotal;
  const bars = tty ? new MultiBar({ format: '{bar} {value}/{total} features · sprint {sprint} · {tokens} tokens · {status}', hideCursor: true, clearOnComplete: false }, Presets.shades_classic) : null;
  const bar = bars?.create(total, 0, { sprint: 0, tokens: 0, status: sim.status });
  const progress = { settled: 0, sprint: 0, tokens: 0 };
  const say = (text: string) => (bars ? bars.log(`${text}\n`) : process.stdout.write(`${text}\n`));
  const abort = new AbortController();
  try {
    for await (const e of ctx.api.stream(simulationId, { signal: abort.signal })) {
      if (e.type === 'LlmCallCompleted') progress.tokens += e.data.usage.promptTokens + e.data.usage.completionTokens;
      if (e.type === 'SprintStarted') progress.sprint = e.data.sprint;
      if (e.type === 'FeatureDone' || e.type === 'FeatureAbandoned') progress.settled++;
      const line = eventLine(e, names);
      if (line && !ctx.json) say(paint(line.text, line.tone));
      bar?.update(progress.settled, { sprint: progress.sprint, tokens: progress.tokens, status: e.type });
      if (['SimulationCompleted', 'SimulationFailed', 'SimulationCancelled'].includes(e.type)) {
        sim = await ctx.api.getSimulation(simulationId);
        // A resumable failure is not an end: keep following.
        if (isEnded(sim)) break;
      }
    }
  } finally {
    abort.abort();
    bars?.stop();
  }
  const m = sim.metrics;
  ctx.print(`${sim.status}: ${m.featuresDone}/${m.featuresTotal} features, ${m.acceptanceTestsPassed}/${m.acceptanceTestsTotal} acceptance tests passed`, sim);
  return sim.status === 'completed' ? EXIT.OK : EXIT.BAD_OUTCOME;
}
