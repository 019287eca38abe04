import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** The first three events of a stream of the simulation's that has that many: [line index, …] (for tampering with their order). */
export function threeOfOneStream(lines: readonly string[]): [number, number, number] {
  const byStream = new Map<string, number[]>();
  lines.forEach((l, i) => {
    const v = JSON.parse(l);
    if (v.section === 'simulation') byStream.set(v.stream, [...(byStream.get(v.stream) ?? []), i]);
  });
  const found = [...byStream.values()].find((at) => at.length >= 3);
  if (!found) throw new Error('no stream of three events');
  return [found[0], found[1], found[2]];
}

/** A bundle file's lines (gzipped or not), without the final newline's empty line. */
export function bundleLines(path: string): string[] {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('utf8');
  return text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
}

/**
 * The lines as a bundle again, its end line's counts and sha256 made to fit what is before it
 * (its absentBlobs kept): how a bundle changed on purpose (an old event version, a tampering that
 * must be caught by something else than the hash) is sealed again.
 */
export function sealBundle(lines: readonly string[]): string {
  // A line broken on purpose is no line of any kind.
  const kind = (l: string): { kind?: string; section?: string } => {
    try {
      return JSON.parse(l) ?? {};
    } catch {
      return {};
    }
  };
  const body = lines.filter((l) => kind(l).kind !== 'end');
  const end = JSON.parse(lines.find((l) => kind(l).kind === 'end') ?? '{"absentBlobs":[]}');
  const kinds = body.map(kind);
  const text = body.map((l) => `${l}\n`).join('');
  const sealed = {
    kind: 'end',
    events: { project: kinds.filter((k) => k.section === 'project').length, simulation: kinds.filter((k) => k.section === 'simulation').length },
    blobs: kinds.filter((k) => k.kind === 'blob').length,
    absentBlobs: end.absentBlobs ?? [],
    sha256: createHash('sha256').update(text).digest('hex'),
  };
  return `${text}${JSON.stringify(sealed)}\n`;
}
