// Statistics for comparing simulation runs: summaries, seeded bootstrap intervals, rank tests with
// R's exact and normal p-values, Wilson intervals and a paired permutation test. Pure functions,
// no I/O, no dependencies besides libs/kit's seeded PRNG. See docs/statistics.md.
export type { Interval } from './interval';
export type { Summary } from './summary';
export { summarize } from './summary';
export type { BootstrapOptions } from './bootstrap';
export { bootstrapMeanInterval, bootstrapPairedMeanDifference, bootstrapMeanDifference } from './bootstrap';
export type { TestResult } from './rank-tests';
export { wilcoxonSignedRank, mannWhitney } from './rank-tests';
export { wilsonInterval } from './wilson';
export { normalCdf, normalQuantile } from './normal';
export type { PermutationOptions, PermutationResult } from './permutation';
export { permutationTestPaired } from './permutation';
