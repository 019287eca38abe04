import type { Experiment, ExperimentResults } from '@swe-sim/api-client';

/** Runs per variant by state, and how the ended ones came out. */
export function progressByVariant(exp: Pick<Experiment, 'variants' | 'runs'>) {
  return exp.variants.map((v) => {
    const runs = exp.runs.filter((r) => r.variant === v.name);
    const outcomes: Record<string, number> = {};
    for (const r of runs) if (r.outcome) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    return {
      variant: v.name,
      control: v.control,
      total: runs.length,
      pending: runs.filter((r) => r.status === 'pending').length,
      running: runs.filter((r) => r.status === 'running').length,
      ended: runs.filter((r) => r.status === 'ended').length,
      counted: runs.filter((r) => r.counted).length,
      outcomes,
    };
  });
}

/** One metric across variants: x the variant's index, its mean and interval (null where it has none). */
export interface IntervalChartData {
  names: string[];
  mean: (number | null)[];
  low: (number | null)[];
  high: (number | null)[];
  /** The y range that holds every mean and interval, padded (a single value gets ±1). */
  range: [number, number];
}

export function intervalChart(results: Pick<ExperimentResults, 'variants'>, metric: string): IntervalChartData {
  const names = results.variants.map((v) => v.name);
  const m = results.variants.map((v) => v.metrics[metric] ?? null);
  const mean = m.map((s) => (s ? s.mean : null));
  const low = m.map((s) => (s ? s.ci?.low ?? s.mean : null));
  const high = m.map((s) => (s ? s.ci?.high ?? s.mean : null));
  const values = [...low, ...high].filter((x): x is number => x !== null);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  const pad = hi > lo ? (hi - lo) * 0.15 : Math.max(1, Math.abs(hi) * 0.1);
  lo -= pad;
  hi += pad;
  return { names, mean, low, high, range: [lo, hi] };
}

/** Each variant against the control, one row per metric. */
export function comparisonRows(results: Pick<ExperimentResults, 'variants' | 'metrics'>) {
  return results.variants.flatMap((v) =>
    Object.entries(v.againstControl ?? {}).map(([metric, c]) => ({
      variant: v.name,
      metric,
      difference: c.difference,
      ci: c.ci ? `[${fmt(c.ci.low)}, ${fmt(c.ci.high)}]` : '',
      pValue: c.pValue,
      significant: c.pValue < 0.05,
      test: `${c.test}${c.paired ? ', paired' : ''} (n ${c.n})`,
      effect: `${fmt(c.effectSize)} ${c.effectSizeKind}`,
    })),
  );
}

/** Numbers as people read them: integers plain, else three significant digits. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
}
