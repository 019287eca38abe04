import { mulberry32 } from '@swe-sim/kit';

export { mulberry32 };

export type Random = () => number;

/**
 * The candidates with the highest score (compared lexicographically), one of them chosen by the
 * PRNG when several tie. The PRNG is drawn only on a tie, so a seed changes nothing else.
 */
export function pickBest<T>(candidates: readonly T[], score: (c: T) => readonly number[], random: Random): T {
  if (candidates.length === 0) throw new Error('pickBest needs at least one candidate');
  let best: T[] = [];
  let bestScore: readonly number[] | null = null;
  for (const c of candidates) {
    const s = score(c);
    const cmp = bestScore === null ? 1 : compareScores(s, bestScore);
    if (cmp > 0) {
      best = [c];
      bestScore = s;
    } else if (cmp === 0) best.push(c);
  }
  return best.length === 1 ? best[0] : best[Math.floor(random() * best.length)];
}

function compareScores(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (Math.abs(d) > 1e-9) return d > 0 ? 1 : -1;
  }
  return 0;
}
