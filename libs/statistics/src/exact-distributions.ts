// Exact null distributions of the two rank statistics, built by dynamic programming over counts of
// rank sums (no enumeration of the 2^n or C(m+n, m) arrangements). Counts stay below 2^53 for
// n < 50 signed ranks; the rank-sum counts (up to C(98, 49) ≈ 2.5e28) are only ever added, so
// they keep double precision's 1e-16 relative accuracy.

/** counts[v] = number of subsets of {1..n} whose sum is v, i.e. 2^n · P(V = v) for the signed-rank V. */
export function signedRankCounts(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  const counts = new Float64Array(max + 1);
  counts[0] = 1;
  for (let rank = 1; rank <= n; rank++) {
    const reach = (rank * (rank + 1)) / 2;
    for (let v = reach; v >= rank; v--) counts[v] += counts[v - rank];
  }
  return counts;
}

/**
 * counts[w] = number of ways the Mann–Whitney W (R's statistic: pairs with x above y) takes the
 * value w for samples of m and n without ties. Recurrence on the largest observation: it is an x
 * (beating all n y's) or a y, so f(m, n; w) = f(m − 1, n; w − n) + f(m, n − 1; w).
 */
export function rankSumCounts(m: number, n: number): Float64Array {
  // rows[i] holds f(i, j; ·) for the current j, i = 0..m.
  const rows: Float64Array[] = [];
  for (let i = 0; i <= m; i++) rows.push(new Float64Array(m * n + 1));
  for (let i = 0; i <= m; i++) rows[i][0] = 1; // j = 0: W is 0
  for (let j = 1; j <= n; j++) {
    for (let i = 1; i <= m; i++) {
      const row = rows[i];
      const below = rows[i - 1]; // already holds f(i − 1, j)
      for (let w = i * j; w >= j; w--) row[w] += below[w - j];
    }
  }
  return rows[m];
}

/** P(S ≤ q) from the counts of a discrete distribution on 0..counts.length − 1. */
export function lowerTail(counts: Float64Array, q: number): number {
  let below = 0;
  let total = 0;
  for (let v = 0; v < counts.length; v++) {
    total += counts[v];
    if (v <= q) below += counts[v];
  }
  return below / total;
}

/** P(S ≥ q). */
export function upperTail(counts: Float64Array, q: number): number {
  let above = 0;
  let total = 0;
  for (let v = 0; v < counts.length; v++) {
    total += counts[v];
    if (v >= q) above += counts[v];
  }
  return above / total;
}
