import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { bundleLines } from '../support/bundles';
import { compareRecordings } from './corpus-comparison';

/** The recorder's comparison, on a real bundle of the corpus made into "another run" of the same thing. */
describe('comparing a new recording with the stored one', () => {
  const stored = bundleLines(join(__dirname, '../fixtures/corpus/lru-cache.bundle.ndjson.gz'));
  const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

  /** The same run recorded again: other random ids (and so other blob hashes), later times. */
  function anotherRun(lines: readonly string[], change: (content: string) => string = (c) => c): string[] {
    const ids = new Map<string, string>();
    const fresh = (s: string) => s.replace(UUID, (m) => ids.get(m) ?? ids.set(m, randomUUID()).get(m)!);
    const hashes = new Map<string, string>();
    const blobs = lines.filter((l) => JSON.parse(l).kind === 'blob').map((l) => {
      const b = JSON.parse(l);
      const content = Buffer.from(change(fresh(Buffer.from(b.base64, 'base64').toString('utf8'))), 'utf8');
      const hash = createHash('sha256').update(content).digest('hex');
      hashes.set(b.hash, hash);
      return JSON.stringify({ kind: 'blob', hash, size: content.length, base64: content.toString('base64') });
    });
    const later = (s: string) => s.replace(/"recordedAt":"[^"]+"/g, '"recordedAt":"2030-01-01T00:00:00.000Z"').replace(/"durationMs":\d+/g, '"durationMs":12345');
    const events = lines
      .filter((l) => JSON.parse(l).kind !== 'blob')
      .map((l) => later(fresh(l)).replace(/[0-9a-f]{64}/g, (h) => hashes.get(h) ?? h));
    return [...events.slice(0, -1), ...blobs.sort((a, b) => (JSON.parse(a).hash < JSON.parse(b).hash ? -1 : 1)), events[events.length - 1]];
  }

  it('finds the stored file the same run as itself', () => {
    expect(compareRecordings(stored, stored)).toEqual({ same: true });
  });

  it('finds a run with other ids, blob hashes and times the same run', () => {
    const again = anotherRun(stored);
    expect(again).not.toEqual(stored);
    expect(compareRecordings(stored, again)).toEqual({ same: true });
  });

  it('finds a run whose prompts have one more word a different run', () => {
    const changed = anotherRun(stored, (c) => c.replace('You are ', 'You are really '));
    const verdict = compareRecordings(stored, changed);
    expect(verdict.same).toBe(false);
    expect(verdict.difference).toMatch(/really/);
  });

  it('finds a run whose agents decided otherwise a different run, naming the stream', () => {
    const i = stored.findIndex((l) => l.includes('"type":"EstimateCast"'));
    const changed = stored.map((l, j) => (j === i ? l.replace(/"points":(\d+)/, (_, p) => `"points":${Number(p) + 1}`) : l));
    expect(compareRecordings(stored, changed)).toEqual({ same: false, difference: expect.stringMatching(/^streams: .*"stream":"poker-#-/) });
  });

  it('finds a run whose streams interleave otherwise, and whose poker votes came in another order, the same run', () => {
    const events = stored.map((l, i) => [JSON.parse(l), i] as const).filter(([v]) => v.kind === 'event' && v.section === 'simulation');
    // Move every LLM event of one stream to the end of the events: another interleaving of concurrent streams.
    const stream = events.find(([v]) => v.stream.startsWith('llm-'))![0].stream;
    const moved = events.filter(([v]) => v.stream === stream).map(([, i]) => stored[i]);
    const rest = stored.filter((l) => !moved.includes(l));
    const lastEvent = rest.map((l) => JSON.parse(l)).map((v, i) => [v, i] as const).filter(([v]) => v.kind === 'event').at(-1)![1];
    const interleaved = [...rest.slice(0, lastEvent + 1), ...moved, ...rest.slice(lastEvent + 1)];
    // Two votes of one round the other way round.
    const votes = interleaved.map((l, i) => [l, i] as const).filter(([l]) => l.includes('"type":"EstimateCast"'));
    const [x, y] = [votes[0][1], votes[1][1]];
    const swapped = interleaved.map((l, i) => (i === x ? interleaved[y] : i === y ? interleaved[x] : l));
    expect(swapped).not.toEqual(stored);
    expect(compareRecordings(stored, anotherRun(swapped))).toEqual({ same: true });
  });
});
