import {
  Interval,
  Summary,
  bootstrapMeanDifference,
  bootstrapMeanInterval,
  bootstrapPairedMeanDifference,
  mannWhitney,
  summarize,
  wilcoxonSignedRank,
  wilsonInterval,
} from '@swe-sim/statistics';

/** What results need of a run: who it is and, once counted, its metrics. */
export interface ResultRun {
  variant: string;
  seed: number;
  projectId: string;
  status: 'pending' | 'running' | 'ended';
  outcome: string | null;
  counted: boolean;
  metrics: Record<string, number> | null;
}

export interface MetricSummary extends Summary {
  ci: Interval | null;
}

export interface Comparison {
  /** paired: by (seed, project), every counted run of both having its partner; else unpaired. */
  paired: boolean;
  n: number;
  /** Mean of variant − control (of the pairs' differences when paired). */
  difference: number;
  ci: Interval | null;
  test: 'wilcoxon-signed-rank' | 'mann-whitney';
  statistic: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** Matched-pairs rank-biserial (paired) or Cliff's delta (unpaired), in [-1, 1]. */
  effectSize: number;
  effectSizeKind: 'rank-biserial' | 'cliffs-delta';
}

export interface Rate {
  successes: number;
  n: number;
  rate: number | null;
  ci: Interval;
}

export interface ExperimentResults {
  control: string;
  /** The seed of every bootstrap: the same runs give the same report. */
  bootstrapSeed: number;
  level: number;
  runs: { total: number; counted: number; pending: number; running: number; failed: number; abandoned: number; cancelled: number };
  metrics: string[];
  variants: Array<{
    name: string;
    control: boolean;
    n: number;
    metrics: Record<string, MetricSummary>;
    rates: { runsCompleted: Rate; featuresDone: Rate };
    /** Against the control (absent for the control itself); a metric only one side has is left out. */
    againstControl: Record<string, Comparison> | null;
  }>;
}

export const BOOTSTRAP_SEED = 1;
const LEVEL = 0.95;
const RESAMPLES = 2000;

/**
 * An experiment's results from its runs: per variant and metric a summary and a seeded bootstrap
 * interval of the mean; per variant against the control, paired by (seed, project) when every run
 * has its partner (Wilcoxon signed-rank) or else unpaired (Mann–Whitney), the mean difference with
 * its bootstrap interval and an effect size; Wilson intervals for the rates. Pure and deterministic.
 */
export function experimentResults(variants: ReadonlyArray<{ name: string; control: boolean }>, runs: readonly ResultRun[]): ExperimentResults {
  const control = variants.find((v) => v.control)!.name;
  const counted = runs.filter((r) => r.counted && r.metrics);
  const names = [...new Set(counted.flatMap((r) => Object.keys(r.metrics!)))].sort();
  const opts = { level: LEVEL, resamples: RESAMPLES, seed: BOOTSTRAP_SEED };
  const byVariant = (name: string) => counted.filter((r) => r.variant === name);
  const controlRuns = byVariant(control);
  return {
    control,
    bootstrapSeed: BOOTSTRAP_SEED,
    level: LEVEL,
    runs: {
      total: runs.length,
      counted: counted.length,
      pending: runs.filter((r) => r.status === 'pending').length,
      running: runs.filter((r) => r.status === 'running').length,
      failed: runs.filter((r) => r.outcome === 'failed').length,
      abandoned: runs.filter((r) => r.outcome === 'abandoned').length,
      cancelled: runs.filter((r) => r.outcome === 'cancelled').length,
    },
    metrics: names,
    variants: variants.map((v) => {
      const mine = byVariant(v.name);
      const metrics: Record<string, MetricSummary> = {};
      for (const name of names) {
        const values = valuesOf(mine, name);
        if (values.length === 0) continue;
        metrics[name] = { ...summarize(values), ci: values.length >= 2 ? bootstrapMeanInterval(values, opts) : null };
      }
      const completed = mine.filter((r) => r.outcome === 'completed').length;
      const featuresDone = mine.reduce((n, r) => n + (r.metrics!.featuresDone ?? 0), 0);
      const featuresTotal = mine.reduce((n, r) => n + (r.metrics!.featuresTotal ?? 0), 0);
      return {
        name: v.name,
        control: v.control,
        n: mine.length,
        metrics,
        rates: { runsCompleted: rate(completed, mine.length), featuresDone: rate(featuresDone, featuresTotal) },
        againstControl: v.control ? null : compareAll(mine, controlRuns, names, opts),
      };
    }),
  };
}

function valuesOf(runs: readonly ResultRun[], name: string): number[] {
  return runs.map((r) => r.metrics![name]).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
}

function rate(successes: number, n: number): Rate {
  return { successes, n, rate: n > 0 ? successes / n : null, ci: wilsonInterval(successes, n, LEVEL) };
}

const pairKey = (r: ResultRun) => `${r.seed}/${r.projectId}`;

function compareAll(mine: readonly ResultRun[], control: readonly ResultRun[], names: readonly string[], opts: { level: number; resamples: number; seed: number }) {
  const out: Record<string, Comparison> = {};
  for (const name of names) {
    const c = compare(mine, control, name, opts);
    if (c) out[name] = c;
  }
  return out;
}

function compare(mine: readonly ResultRun[], control: readonly ResultRun[], name: string, opts: { level: number; resamples: number; seed: number }): Comparison | null {
  const a = mine.filter((r) => Number.isFinite(r.metrics![name]));
  const b = control.filter((r) => Number.isFinite(r.metrics![name]));
  if (a.length === 0 || b.length === 0) return null;
  const partner = new Map(b.map((r) => [pairKey(r), r]));
  const pairs = a.filter((r) => partner.has(pairKey(r))).map((r) => [r.metrics![name], partner.get(pairKey(r))!.metrics![name]] as const);
  if (pairs.length === a.length && pairs.length === b.length) {
    const x = pairs.map((p) => p[0]);
    const y = pairs.map((p) => p[1]);
    const t = wilcoxonSignedRank(x, y);
    return {
      paired: true,
      n: pairs.length,
      difference: mean(x.map((xi, i) => xi - y[i])),
      ci: pairs.length >= 2 ? bootstrapPairedMeanDifference(x, y, opts) : null,
      test: 'wilcoxon-signed-rank',
      statistic: t.statistic,
      pValue: t.pValue,
      method: t.method,
      effectSize: t.effectSize,
      effectSizeKind: 'rank-biserial',
    };
  }
  const x = a.map((r) => r.metrics![name]);
  const y = b.map((r) => r.metrics![name]);
  const t = mannWhitney(x, y);
  return {
    paired: false,
    n: x.length + y.length,
    difference: mean(x) - mean(y),
    ci: x.length >= 2 && y.length >= 2 ? bootstrapMeanDifference(x, y, opts) : null,
    test: 'mann-whitney',
    statistic: t.statistic,
    pValue: t.pValue,
    method: t.method,
    effectSize: t.effectSize,
    effectSizeKind: 'cliffs-delta',
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

const CSV_COLUMNS = [
  'variant',
  'control',
  'metric',
  'n',
  'mean',
  'sd',
  'median',
  'min',
  'max',
  'ci_low',
  'ci_high',
  'difference',
  'difference_ci_low',
  'difference_ci_high',
  'paired',
  'test',
  'p_value',
  'effect_size',
  'effect_size_kind',
];

/** One row per variant and metric (RFC 4180: a field with a comma, quote or line break is quoted). */
export function resultsCsv(results: ExperimentResults): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const v of results.variants) {
    for (const name of results.metrics) {
      const s = v.metrics[name];
      if (!s) continue;
      const c = v.againstControl?.[name];
      rows.push(
        [v.name, v.control, name, s.n, s.mean, s.sd, s.median, s.min, s.max, s.ci?.low, s.ci?.high, c?.difference, c?.ci?.low, c?.ci?.high, c?.paired, c?.test, c?.pValue, c?.effectSize, c?.effectSizeKind]
          .map(csvField)
          .join(','),
      );
    }
  }
  return `${rows.join('\r\n')}\r\n`;
}

function csvField(v: unknown): string {
  if (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
