/**
 * Whether a new recording of a corpus case is the same run as the one stored: the same events in
 * the same order with the same data and the same blobs, once each recording's own ids (random
 * UUIDs, and the blob hashes that follow from them) are numbered in order of appearance and the
 * measured times left out. Prompts are in the blobs and the LLM events, so a changed prompt is a
 * different run. When it is the same, the recorder keeps the stored file byte for byte.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const SHA256 = /\b[0-9a-f]{64}\b/g;
/** Times a run measures or records: they differ between two runs of the same thing. */
const MEASURED = new Set(['recordedAt', 'expiresAt', 'durationMs', 'wallTimeMs', 'llmTimeMs', 'sandboxTimeMs', 'timings']);

export interface RunComparison {
  same: boolean;
  /** The first difference: line and the normalized values. */
  difference?: string;
}

export function compareRecordings(stored: readonly string[], recorded: readonly string[]): RunComparison {
  const a = normalize(stored);
  const b = normalize(recorded);
  if (a.length !== b.length) return { same: false, difference: `${a.length} lines stored, ${b.length} recorded` };
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return { same: false, difference: `line ${i + 1}: stored ${a[i].slice(0, 300)} | recorded ${b[i].slice(0, 300)}` };
  }
  return { same: true };
}

/**
 * Each line with ids numbered by first appearance, measured times dropped, and each blob named by
 * the number its hash got in the events (blobs are written sorted by hash, which is an id's order).
 */
function normalize(lines: readonly string[]): string[] {
  const ids = new Map<string, string>();
  const id = (prefix: string) => (m: string) => ids.get(m) ?? ids.set(m, `${prefix}${ids.size}`).get(m)!;
  const events: string[] = [];
  const blobs: string[] = [];
  for (const line of lines) {
    const value = JSON.parse(line) as { kind: string; hash?: string; base64?: string };
    if (value.kind === 'end') continue; // its hash follows from the rest
    if (value.kind === 'blob') {
      const content = Buffer.from(value.base64!, 'base64').toString('utf8').replace(UUID, id('#'));
      blobs.push(`${id('blob#')(value.hash!)} ${content}`);
      continue;
    }
    events.push(JSON.stringify(strip(value)).replace(UUID, id('#')).replace(SHA256, id('blob#')));
  }
  return [...events, ...blobs.sort()];
}

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !MEASURED.has(k)).map(([k, x]) => [k, strip(x)]));
}
