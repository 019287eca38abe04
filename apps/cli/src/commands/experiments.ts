import { existsSync, readFileSync } from 'node:fs';
import { MultiBar, Presets } from 'cli-progress';
import { parse as parseYaml } from 'yaml';
import type { Experiment, ExperimentResults } from '@swe-sim/api-client';
import { CliContext } from '../context';
import { EXIT, UsageError } from '../exit-codes';

/** An experiment spec: the body of POST /experiments, as YAML (or JSON, which is YAML). */
export function readSpec(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`${path}: no such file`);
  let spec: unknown;
  try {
    spec = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: not YAML (${(err as Error).message})`);
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) throw new UsageError(`${path}: expected a mapping (name, variants, projects, seeds…)`);
  return spec as Record<string, unknown>;
}

const POLL_MS = 2000;
const ended = (status: string) => status === 'completed' || status === 'cancelled';

export async function runExperiment(ctx: CliContext, specPath: string, options: { watch?: boolean }) {
  const created = await ctx.api.createExperiment(readSpec(specPath));
  if (!options.watch) {
    ctx.print(`experiment ${created.experimentId} (${created.runs} runs)`, created);
    return EXIT.OK;
  }
  if (!ctx.json) process.stdout.write(`experiment ${created.experimentId} (${created.runs} runs)\n`);
  return watchExperiment(ctx, created.experimentId);
}

/**
 * Follows an experiment until it completes or is cancelled: a line per run as it ends and, on a
 * terminal, a progress bar of runs ended. Then the report. Exit 0 when it completed, 1 when cancelled.
 */
export async function watchExperiment(ctx: CliContext, experimentId: string) {
  const tty = !ctx.json && !!process.stdout.isTTY;
  let exp = await ctx.api.getExperiment(experimentId);
  const bars = tty ? new MultiBar({ format: '{bar} {value}/{total} runs ended · {running} running · {status}', hideCursor: true }, Presets.shades_classic) : null;
  const bar = bars?.create(exp.progress.total, exp.progress.ended, { running: exp.progress.running, status: exp.status });
  const said = new Set<string>();
  const say = (text: string) => (ctx.json ? undefined : bars ? bars.log(`${text}\n`) : process.stdout.write(`${text}\n`));
  try {
    for (;;) {
      for (const run of exp.runs) {
        const key = `${run.runId}#${run.attempt}`;
        if (run.status !== 'ended' || said.has(key)) continue;
        said.add(key);
        say(`  ${run.variant} seed ${run.seed}: ${run.outcome}${run.counted ? '' : ' (not counted)'}`);
      }
      bar?.setTotal(exp.progress.total);
      bar?.update(exp.progress.ended, { running: exp.progress.running, status: exp.status });
      if (ended(exp.status)) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
      exp = await ctx.api.getExperiment(experimentId);
    }
  } finally {
    bars?.stop();
  }
  const results = await ctx.api.experimentResults(experimentId);
  ctx.print(`${exp.status}: ${exp.progress.counted}/${exp.progress.total} runs counted\n\n${reportTable(results)}`, { experiment: exp, results });
  return exp.status === 'completed' ? EXIT.OK : EXIT.BAD_OUTCOME;
}

export async function listExperiments(ctx: CliContext) {
  const page = await ctx.api.listExperiments({ limit: 50 });
  ctx.print(page.items.map((x) => `${x.experimentId}  ${x.status.padEnd(9)}  ${x.name}`).join('\n') || 'no experiments', page);
  return EXIT.OK;
}

export async function experimentStatus(ctx: CliContext, experimentId: string) {
  const exp = await ctx.api.getExperiment(experimentId);
  ctx.print(statusText(exp), exp);
  return EXIT.OK;
}

function statusText(exp: Experiment): string {
  const p = exp.progress;
  const lines = [`${exp.experimentId}  ${exp.status}  ${exp.name}`, `runs ${p.total}: ${p.pending} pending, ${p.running} running, ${p.ended} ended, ${p.counted} counted · ${exp.tokensUsed} tokens`];
  for (const v of exp.variants) {
    const runs = exp.runs.filter((r) => r.variant === v.name);
    lines.push(`  ${v.name}${v.control ? ' (control)' : ''}: ${runs.filter((r) => r.status === 'ended').length}/${runs.length} ended`);
  }
  return lines.join('\n');
}

export async function controlExperiment(ctx: CliContext, experimentId: string, action: 'pause' | 'resume' | 'cancel') {
  const result = await ctx.api.controlExperiment(experimentId, action);
  ctx.print(`${experimentId}: ${result.status}`, result);
  return EXIT.OK;
}

export async function extendExperiment(ctx: CliContext, experimentId: string, options: { seeds?: string; variants?: string }) {
  const body: { seeds?: number[]; variants?: unknown[] } = {};
  if (options.seeds) {
    const seeds = options.seeds.split(',').map((s) => s.trim());
    if (seeds.some((s) => !/^\d+$/.test(s))) throw new UsageError('--seeds must be whole numbers separated by commas');
    body.seeds = seeds.map(Number);
  }
  if (options.variants) {
    const spec = readSpec(options.variants);
    if (!Array.isArray(spec.variants)) throw new UsageError(`${options.variants}: expected a "variants" list`);
    body.variants = spec.variants;
  }
  if (!body.seeds && !body.variants) throw new UsageError('give --seeds or --variants');
  const result = await ctx.api.extendExperiment(experimentId, body);
  ctx.print(`${experimentId}: ${result.status}, ${result.runs} runs`, result);
  return EXIT.OK;
}

export async function experimentReport(ctx: CliContext, experimentId: string, options: { csv?: boolean }) {
  if (options.csv) {
    process.stdout.write(await ctx.api.experimentResultsCsv(experimentId));
    return EXIT.OK;
  }
  const results = await ctx.api.experimentResults(experimentId);
  ctx.print(reportTable(results), results);
  return EXIT.OK;
}

const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString());

/** The results as terminal tables: each metric's mean and interval per variant, then each variant against the control. */
export function reportTable(r: ExperimentResults): string {
  const level = `${Math.round(r.level * 100)}%`;
  const rows: string[][] = [['metric', 'variant', 'n', 'mean', `${level} interval`, 'sd', 'vs control', 'p', 'effect']];
  for (const metric of r.metrics) {
    for (const v of r.variants) {
      const s = v.metrics[metric];
      if (!s) continue;
      const c = v.againstControl?.[metric];
      rows.push([
        metric,
        `${v.name}${v.control ? '*' : ''}`,
        String(s.n),
        num(s.mean),
        s.ci ? `[${num(s.ci.low)}, ${num(s.ci.high)}]` : '–',
        num(s.sd),
        c ? `${c.difference >= 0 ? '+' : ''}${num(c.difference)}${c.ci ? ` [${num(c.ci.low)}, ${num(c.ci.high)}]` : ''}` : '',
        c ? num(c.pValue) : '',
        c ? `${num(c.effectSize)} ${c.effectSizeKind}` : '',
      ]);
    }
  }
  const rates = r.variants.map((v) => `  ${v.name}: runs completed ${v.rates.runsCompleted.successes}/${v.rates.runsCompleted.n}, features done ${v.rates.featuresDone.successes}/${v.rates.featuresDone.n}`);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const table = rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
  return [`${r.name ?? r.experimentId}: ${r.status}, ${r.runs.counted}/${r.runs.total} runs counted (* control: ${r.control})`, '', ...table, '', 'rates', ...rates].join('\n');
}
