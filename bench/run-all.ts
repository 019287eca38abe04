/**
 * `npm run bench`: every benchmark, one JSON line per figure on stdout:
 * {"bench", "value", "unit", "baseline", "ratio", "better"} — each value beside a baseline
 * measured in the same run on the same machine. Select with BENCH=event-store,llm-gateway,...
 */
import { BenchFigure } from './bench-kit';

type Suite = { name: string; load: () => Promise<{ run: (log: (line: string) => void) => Promise<unknown[]> }> };

const SUITES: Suite[] = [
  { name: 'event-store', load: () => import('./event-store.bench') },
  { name: 'llm-gateway', load: () => import('./llm-gateway.bench') as never },
  { name: 'sandbox', load: () => import('./sandbox.bench') },
  { name: 'history', load: () => import('./history.bench') },
  { name: 'load', load: () => import('./load.bench') },
  { name: 'experiment', load: () => import('./experiment.bench') },
];

async function main(): Promise<void> {
  const wanted = process.env.BENCH?.split(',').map((s) => s.trim());
  const failures: string[] = [];
  for (const suite of SUITES.filter((s) => !wanted || wanted.includes(s.name))) {
    process.stderr.write(`[bench] ${suite.name}\n`);
    const printed = new Set<string>();
    // Figures (JSON) on stdout, progress on stderr: stdout stays one figure per line.
    const log = (line: string) => {
      printed.add(line);
      (line.startsWith('{') ? process.stdout : process.stderr).write(line + '\n');
    };
    try {
      const { run } = await suite.load();
      const figures = (await run(log)) as BenchFigure[];
      for (const f of figures) {
        const line = JSON.stringify(f);
        if (!printed.has(line)) log(line);
      }
    } catch (err) {
      failures.push(suite.name);
      process.stderr.write(`[bench] ${suite.name} failed: ${(err as Error).stack}\n`);
    }
  }
  if (failures.length) {
    process.stderr.write(`[bench] failed: ${failures.join(', ')}\n`);
    process.exit(1);
  }
}

void main();
