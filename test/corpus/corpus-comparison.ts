/**
 * Whether a new recording of a corpus case is the same run as the one stored: every stream holds
 * the same events in the same order with the same data, and the blobs (prompts, answers, files,
 * output) are the same, once what each run names for itself is left out — random ids and what
 * follows from them (blob hashes, sandbox names), measured times — and how concurrent streams
 * interleave (concurrency, not a decision, as the replay's comparison says). Prompts are in the
 * blobs and the LLM events, so a changed prompt is a different run. When it is the same, the
 * recorder keeps the stored file byte for byte.
 */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const SHA256 = /\b[0-9a-f]{64}\b/g;
/** Git commit ids (they hash the commit's time). */
const COMMIT = /\b[0-9a-f]{40}\b/g;
/** Abbreviated git ids in git's output ("[main 2ef2862]", "index e69de29..9d4ad70"): hex with a digit and a letter. */
const SHORT_HASH = /\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,12}\b/g;
/** Tool call ids the LLM gives (the simulator's follow from the request, seed included). */
const TOOL_CALL_ID = /\bcall_[a-z0-9]+_\d+\b/g;
/** Sandbox names (derived from a task's random id): `t` or `a`, 12 hex digits, a generation or index. */
const SANDBOX = /\b[at][0-9a-f]{12}[gi]\d+\b/g;
/** Times a tool prints (pytest's "1 passed in 0.03s", node's "duration_ms: 4.2"). */
const PRINTED_TIME = /\b\d+(\.\d+)?(s|ms)\b|duration_ms:? \d+(\.\d+)?/g;
/** Each LLM call's sampling seed, derived from the run's random simulation id (in events and in request bodies). */
const SAMPLING_SEED = /"seed":\d+/g;
/**
 * Fields a run measures or names for itself. Token counts follow from the prompts (compared), which
 * differ by the times the tools print: they are left out rather than made to agree.
 */
const OWN_FIELDS = new Set(['recordedAt', 'expiresAt', 'durationMs', 'wallTimeMs', 'llmTimeMs', 'sandboxTimeMs', 'timings', 'instanceId', 'stdoutBytes', 'stderrBytes', 'usage', 'promptTokens', 'completionTokens', 'tokens', 'tokensByRole']);
/** Events several agents append to one stream at once (a poker round's votes): compared as a set. */
const CONCURRENT_IN_STREAM = new Set(['EstimateCast']);
/**
 * Streams of the inputs the agents got (as the replay's comparison has them): a sandbox serves the
 * tasks of a team at once, so its commands interleave as they come. What each task got is in its
 * own stream, in order; here they are compared as a set.
 */
const INPUT_STREAMS = /^(sandbox|rpc)-/;

export interface RunComparison {
  same: boolean;
  /** The first difference found, for the recorder's log. */
  difference?: string;
}

export function compareRecordings(stored: readonly string[], recorded: readonly string[]): RunComparison {
  const a = summary(stored);
  const b = summary(recorded);
  for (const part of ['header', 'streams', 'blobs'] as const) {
    const [x, y] = [a[part], b[part]];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i] !== y[i]) return { same: false, difference: `${part}: ${whereTheyDiffer(x[i] ?? '', y[i] ?? '')}` };
    }
  }
  return { same: true };
}

/** The two texts around their first difference. */
function whereTheyDiffer(a: string, b: string): string {
  let j = 0;
  while (j < a.length && a[j] === b[j]) j++;
  const around = (s: string) => (s.length ? `…${s.slice(Math.max(0, j - 150), j + 150)}…` : 'nothing');
  return `stored ${around(a)} | recorded ${around(b)}`;
}

const text = (s: string) => s.replace(UUID, '#').replace(SHA256, 'blob').replace(COMMIT, 'commit').replace(SHORT_HASH, 'hash').replace(TOOL_CALL_ID, 'call').replace(SANDBOX, 'sandbox').replace(PRINTED_TIME, 'T').replace(SAMPLING_SEED, '"seed":0');

/** The bundle as sorted lists that a run's own names and interleaving do not change. */
function summary(lines: readonly string[]): { header: string[]; streams: string[]; blobs: string[] } {
  const streams = new Map<string, { type: string; json: string }[]>();
  const header: string[] = [];
  const blobs: string[] = [];
  for (const line of lines) {
    const value = JSON.parse(line) as { kind: string; stream?: string; type?: string; base64?: string };
    if (value.kind === 'end') continue; // its hash follows from the rest
    if (value.kind === 'bundle') header.push(text(JSON.stringify(value)));
    else if (value.kind === 'blob') blobs.push(text(Buffer.from(value.base64!, 'base64').toString('utf8')));
    else {
      // Event ids are random, and a stream's version is its place: the order in the stream is kept below.
      const { id: _id, version: _version, ...event } = value as Record<string, unknown>;
      const list = streams.get(value.stream!) ?? streams.set(value.stream!, []).get(value.stream!)!;
      list.push({ type: value.type!, json: text(JSON.stringify(withoutOwnFields(event))) });
    }
  }
  const perStream = [...streams].map(([id, list]) => (INPUT_STREAMS.test(id) ? list.map((e) => e.json).sort() : canonical(list).map((e) => e.json)).join('\n'));
  return { header, streams: perStream.sort(), blobs: blobs.sort() };
}

function withoutOwnFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutOwnFields);
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !OWN_FIELDS.has(k)).map(([k, x]) => [k, withoutOwnFields(x)]));
}

/** Each run of consecutive concurrent events (one poker round's votes) in a fixed order. */
function canonical(list: { type: string; json: string }[]): { type: string; json: string }[] {
  const out: { type: string; json: string }[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i + 1;
    if (CONCURRENT_IN_STREAM.has(list[i].type)) while (j < list.length && list[j].type === list[i].type) j++;
    out.push(...list.slice(i, j).sort((x, y) => (x.json < y.json ? -1 : x.json > y.json ? 1 : 0)));
    i = j;
  }
  return out;
}
