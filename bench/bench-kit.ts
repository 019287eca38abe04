/** One figure of a benchmark: a value beside a baseline measured in the same run, and their ratio. */
export interface BenchFigure {
  bench: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  /** Which way is better, so a reader need not guess: 'higher' for throughput, 'lower' for latency. */
  better?: 'higher' | 'lower';
}

export function figure(bench: string, value: number, baseline: number, unit: string, better: 'higher' | 'lower'): BenchFigure {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { bench, value: round(value), unit, baseline: round(baseline), ratio: round(value / baseline), better };
}

export const median = (xs: number[]) => percentile(xs, 50);

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

/** Runs subject and baseline alternately (ABAB…) so drift in a shared machine hits both alike. */
export async function alternate(rounds: number, subject: () => Promise<number>, baseline: () => Promise<number>) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await baseline());
    a.push(await subject());
  }
  return { subject: median(a), baseline: median(b) };
}

export const now = () => Number(process.hrtime.bigint()) / 1e6;
