import type { ExperimentResults } from '@swe-sim/api-client';
import { comparisonRows, fmt, intervalChart, progressByVariant } from './experiment-view';

const summary = (mean: number, ci: [number, number] | null) => ({ n: 3, mean, sd: 0, median: mean, min: mean, max: mean, ci: ci && { low: ci[0], high: ci[1], level: 0.95 } });

const results = {
  metrics: ['tokens', 'turns'],
  variants: [
    { name: 'control', control: true, n: 3, metrics: { tokens: summary(100, [90, 110]), turns: summary(5, [5, 5]) }, rates: {} as any, againstControl: null },
    {
      name: 'hot', control: false, n: 3, metrics: { tokens: summary(130, [120, 140]) }, rates: {} as any,
      againstControl: { tokens: { paired: true, n: 3, difference: 30, ci: { low: 20, high: 40, level: 0.95 }, test: 'wilcoxon-signed-rank', statistic: 6, pValue: 0.25, method: 'exact', effectSize: 1, effectSizeKind: 'rank-biserial' } },
    },
  ],
} as unknown as ExperimentResults;

describe('experiment view models', () => {
  it('counts runs per variant by state and outcome', () => {
    const run = (variant: string, status: string, outcome: string | null, counted: boolean) => ({ variant, status, outcome, counted }) as any;
    const [a, b] = progressByVariant({
      variants: [{ name: 'a', control: true, overrides: {} }, { name: 'b', control: false, overrides: {} }],
      runs: [run('a', 'ended', 'completed', true), run('a', 'running', null, false), run('b', 'pending', null, false), run('a', 'ended', 'failed', true)],
    });
    expect(a).toMatchObject({ total: 3, running: 1, ended: 2, counted: 2, outcomes: { completed: 1, failed: 1 } });
    expect(b).toMatchObject({ total: 1, pending: 1, counted: 0, outcomes: {} });
  });

  it('charts a metric per variant with its interval, a missing one as null, in a padded range', () => {
    expect(intervalChart(results, 'tokens')).toEqual({ names: ['control', 'hot'], mean: [100, 130], low: [90, 120], high: [110, 140], range: [82.5, 147.5] });
    const turns = intervalChart(results, 'turns');
    expect(turns).toMatchObject({ mean: [5, null], low: [5, null], high: [5, null] });
    // A single point (sd 0) still gets a visible range.
    expect(turns.range).toEqual([4, 6]);
  });

  it('lists each variant against the control', () => {
    expect(comparisonRows(results)).toEqual([
      { variant: 'hot', metric: 'tokens', difference: 30, ci: '[20, 40]', pValue: 0.25, significant: false, test: 'wilcoxon-signed-rank, paired (n 3)', effect: '1 rank-biserial' },
    ]);
    expect([fmt(0.123456), fmt(1234.5), fmt(null), fmt(NaN), fmt(3)]).toEqual(['0.123', '1235', '–', '–', '3']);
  });
});
