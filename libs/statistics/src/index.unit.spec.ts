import * as statistics from '@swe-sim/statistics';

describe('@swe-sim/statistics public API', () => {
  it('resolves through the path alias and exports the functions experiments import', () => {
    // Results of experiments (issue 11) are built on exactly these names; renaming one breaks them.
    const names = [
      'summarize',
      'bootstrapMeanInterval',
      'bootstrapPairedMeanDifference',
      'bootstrapMeanDifference',
      'wilcoxonSignedRank',
      'mannWhitney',
      'wilsonInterval',
      'normalCdf',
      'normalQuantile',
      'permutationTestPaired',
    ];
    for (const name of names) expect(typeof (statistics as Record<string, unknown>)[name]).toBe('function');
    expect(Object.keys(statistics).sort()).toEqual([...names].sort());
  });
});
