import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentResults } from '@swe-sim/api-client';
import { UsageError } from '../exit-codes';
import { readSpec, reportTable } from './experiments';

describe('experiment spec and report', () => {
  it('reads a YAML spec as the body, and refuses what is not a mapping', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-spec-'));
    writeFileSync(join(dir, 'spec.yaml'), 'name: temp\nvariants:\n  - name: base\n    control: true\n  - name: hot\n    overrides: {models: {default: {sampling: {temperature: 0.9}}}}\nrepetitions: 3\n');
    expect(readSpec(join(dir, 'spec.yaml'))).toEqual({
      name: 'temp',
      variants: [{ name: 'base', control: true }, { name: 'hot', overrides: { models: { default: { sampling: { temperature: 0.9 } } } } }],
      repetitions: 3,
    });
    writeFileSync(join(dir, 'list.yaml'), '- a\n- b\n');
    expect(() => readSpec(join(dir, 'list.yaml'))).toThrow(UsageError);
    writeFileSync(join(dir, 'bad.yaml'), 'name: [unclosed\n');
    expect(() => readSpec(join(dir, 'bad.yaml'))).toThrow(/not YAML/);
    expect(() => readSpec(join(dir, 'none.yaml'))).toThrow(/no such file/);
  });

  it('prints each metric per variant with the comparison to the control, in aligned columns', () => {
    const results = {
      experimentId: 'e', name: 'temp', status: 'completed', control: 'base', level: 0.95, metrics: ['tokens'],
      runs: { total: 4, counted: 4 },
      variants: [
        { name: 'base', control: true, n: 2, metrics: { tokens: { n: 2, mean: 100, sd: 0, median: 100, min: 100, max: 100, ci: { low: 100, high: 100, level: 0.95 } } }, rates: { runsCompleted: { successes: 2, n: 2 }, featuresDone: { successes: 4, n: 4 } }, againstControl: null },
        { name: 'hot', control: false, n: 2, metrics: { tokens: { n: 2, mean: 125.5, sd: 3.5356, median: 125.5, min: 123, max: 128, ci: { low: 123, high: 128, level: 0.95 } } }, rates: { runsCompleted: { successes: 1, n: 2 }, featuresDone: { successes: 3, n: 4 } }, againstControl: { tokens: { paired: true, n: 2, difference: 25.5, ci: { low: 23, high: 28, level: 0.95 }, test: 'wilcoxon-signed-rank', statistic: 3, pValue: 0.5, method: 'exact', effectSize: 1, effectSizeKind: 'rank-biserial' } } },
      ],
    } as unknown as ExperimentResults;
    expect(reportTable(results).split('\n')).toEqual([
      'temp: completed, 4/4 runs counted (* control: base)',
      '',
      'metric  variant  n  mean   95% interval  sd     vs control      p    effect',
      'tokens  base*    2  100    [100, 100]    0',
      'tokens  hot      2  125.5  [123, 128]    3.536  +25.5 [23, 28]  0.5  1 rank-biserial',
      '',
      'rates',
      '  base: runs completed 2/2, features done 4/4',
      '  hot: runs completed 1/2, features done 3/4',
    ]);
  });
});
