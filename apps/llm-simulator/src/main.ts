/** Starts the LLM simulator from the environment (see env.ts and README.md). */
import { simulatorOptionsFromEnv } from './env';
import { createLlmSimulator } from './simulator';

async function main(): Promise<void> {
  const opts = simulatorOptionsFromEnv(process.env);
  const sim = createLlmSimulator(opts);
  const { url } = await sim.listen(opts.port, opts.host);
  process.stdout.write(
    `${JSON.stringify({ msg: 'llm-simulator listening', url, models: opts.models ?? ['sim-model'], timeScale: sim.timeScale, maxBatch: sim.engine.timing.maxBatch })}\n`,
  );
  const stop = (signal: string) => {
    process.stdout.write(`${JSON.stringify({ msg: 'llm-simulator stopping', signal })}\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`llm-simulator failed to start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
