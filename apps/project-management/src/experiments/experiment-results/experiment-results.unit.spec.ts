import { ResultRun, experimentResults, resultsCsv } from './experiment-results';

const run = (variant: string, seed: number, metrics: Record<string, number> | null, over: Partial<ResultRun> = {}): ResultRun => ({
  variant,
  seed,
  projectId: 'p',
  status: 'ended',
  outcome: 'completed',
  counted: metrics !== null,
  metrics,
  ...over,
});
const variants = [
  { name: 'a', control: true },
  { name: 'b', control: false },
];

describe('experiment results', () => {
  // R: wilcox.test(x, y, paired = TRUE) of the depression data (?wilcox.test): V = 40, p = 0.0390625.
  const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
  const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
  const runs = [...y.map((v, i) => run('a', i, { score: v, featuresDone: 1, featuresTotal: 2 })), ...x.map((v, i) => run('b', i, { score: v, featuresDone: 2, featuresTotal: 2 }))];

  it('summarises each variant and compares it with the control, paired by seed and project', () => {
    const r = experimentResults(variants, runs);
    expect(r.control).toBe('a');
    expect(r.metrics).toEqual(['featuresDone', 'featuresTotal', 'score']);
    const b = r.variants[1];
    expect(b.metrics.score).toMatchObject({ n: 9, min: 0.5, max: 3.06, median: 1.68 });
    expect(b.metrics.score.ci!.low).toBeLessThan(b.metrics.score.mean);
    expect(b.metrics.score.ci!.high).toBeGreaterThan(b.metrics.score.mean);
    const c = b.againstControl!.score;
    // Reversed against R's example (b − a = x − y): the same V and p.
    expect(c).toMatchObject({ paired: true, n: 9, test: 'wilcoxon-signed-rank', statistic: 40, method: 'exact' });
    expect(c.pValue).toBeCloseTo(0.0390625, 10);
    expect(c.difference).toBeCloseTo(x.reduce((s, v, i) => s + v - y[i], 0) / 9, 12);
    expect(c.ci!.low).toBeLessThan(c.difference);
    expect(r.variants[0].againstControl).toBeNull();
    // Rates: features done 9/18 against 18/18, runs completed 9/9.
    expect(r.variants[0].rates.featuresDone).toMatchObject({ successes: 9, n: 18, rate: 0.5 });
    expect(b.rates.runsCompleted).toMatchObject({ successes: 9, n: 9, rate: 1 });
    // Deterministic: the same runs, the same report.
    expect(experimentResults(variants, runs)).toEqual(r);
  });

  it('falls back to Mann–Whitney when runs lack their partners, and leaves uncounted runs out', () => {
    // R: wilcox.test(a, b) with a = 0.80 0.83 1.89 1.04 1.45 1.38 1.91 1.64 0.73 1.46, b = 1.15 0.88 0.90 0.74 1.21: W = 35, p = 0.2544.
    const a = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const b = [1.15, 0.88, 0.9, 0.74, 1.21];
    const unpaired = [
      ...b.map((v, i) => run('a', 100 + i, { score: v })),
      ...a.map((v, i) => run('b', i, { score: v })),
      run('b', 99, null, { outcome: 'abandoned' }),
      run('a', 98, null, { status: 'pending', outcome: null }),
    ];
    const r = experimentResults(variants, unpaired);
    const c = r.variants[1].againstControl!.score;
    expect(c).toMatchObject({ paired: false, n: 15, test: 'mann-whitney', statistic: 35, effectSizeKind: 'cliffs-delta' });
    expect(c.pValue).toBeCloseTo(0.2544, 4);
    expect(r.runs).toMatchObject({ total: 17, counted: 15, abandoned: 1, pending: 1 });
  });

  it('writes one CSV row per variant and metric', () => {
    const csv = resultsCsv(experimentResults(variants, runs)).split('\r\n');
    expect(csv[0].split(',')).toHaveLength(19);
    expect(csv.filter((l) => l.startsWith('b,false,score,9,'))).toHaveLength(1);
    expect(csv.find((l) => l.startsWith('a,true,score,9,'))!.split(',').slice(11).every((f) => f === '')).toBe(true);
  });
});
