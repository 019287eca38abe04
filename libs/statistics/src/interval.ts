/** A two-sided confidence interval at `level` (e.g. 0.95). */
export interface Interval {
  low: number;
  high: number;
  level: number;
}
