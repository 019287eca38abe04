import { join } from 'node:path';
import { createEventRegistry } from '@swe-sim/contracts';
import { bundleLines, sealBundle, threeOfOneStream } from '../../../../../test/support/bundles';
import { BundleInvalidError, BundleProblem, BundleValidator } from './bundle-validation';

/** A real bundle of the corpus (text-utils: its ProjectCreated is v1), tampered with in every way the import must refuse. */
const CORPUS = join(__dirname, '../../../../../test/fixtures/corpus');
const original = bundleLines(join(CORPUS, 'text-utils.bundle.ndjson.gz'));
const parsed = original.map((l) => JSON.parse(l));
const registry = createEventRegistry();

function validate(text: string) {
  const v = new BundleValidator(registry);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const l of lines) v.line(l);
  return v.finish();
}

function refusal(text: string): { problem: BundleProblem; line: number } {
  try {
    validate(text);
  } catch (err) {
    if (err instanceof BundleInvalidError) return { problem: err.problem, line: err.line };
    throw err;
  }
  throw new Error('the bundle passed');
}

const indexOf = (pred: (v: any) => boolean) => parsed.findIndex(pred);
const replaced = (i: number, f: (v: any) => unknown) => original.map((l, j) => (j === i ? JSON.stringify(f(JSON.parse(l))) : l));
const raw = (lines: string[]) => lines.map((l) => `${l}\n`).join('');

describe('bundle validation on a real bundle', () => {
  const firstSimEvent = indexOf((v) => v.section === 'simulation');
  const firstBlob = indexOf((v) => v.kind === 'blob');

  it('passes the bundle as exported, an old event version included', () => {
    expect(parsed.some((v) => v.type === 'ProjectCreated' && v.schemaVersion === 1)).toBe(true);
    const valid = validate(raw(original));
    expect(valid.header.simulationId).toBe(parsed[0].simulationId);
    expect(valid.end.events.simulation).toBeGreaterThan(100);
    expect(valid.blobsElsewhere.size).toBe(0);
    expect(valid.projectEventIds.length).toBe(valid.end.events.project);
  });

  it.each<[string, () => string, BundleProblem, () => number]>([
    ['an empty body', () => '', 'EMPTY', () => 1],
    ['not a bundle', () => sealBundle(['{"kind":"event"}', ...original.slice(1)]), 'NOT_A_BUNDLE', () => 1],
    ['a newer bundle version', () => sealBundle(replaced(0, (v) => ({ ...v, version: 2 }))), 'UNSUPPORTED_VERSION', () => 1],
    ['a broken line', () => sealBundle(original.map((l, i) => (i === 5 ? l.slice(0, -3) : l))), 'NOT_JSON', () => 6],
    ['a line of an unknown kind', () => sealBundle(replaced(5, (v) => ({ ...v, kind: 'note' }))), 'UNKNOWN_LINE', () => 6],
    ['an unknown event type', () => sealBundle(replaced(firstSimEvent + 3, (v) => ({ ...v, type: 'SomethingElse' }))), 'UNKNOWN_EVENT_TYPE', () => firstSimEvent + 4],
    ['an event version from the future', () => sealBundle(replaced(firstSimEvent + 3, (v) => ({ ...v, schemaVersion: 99 }))), 'UNKNOWN_EVENT_VERSION', () => firstSimEvent + 4],
    ['data the schema refuses', () => sealBundle(replaced(firstSimEvent, (v) => ({ ...v, data: { ...v.data, config: { ...v.data.config, seed: -1 } } }))), 'SCHEMA_INVALID', () => firstSimEvent + 1],
    ['metadata the schema refuses', () => sealBundle(replaced(firstSimEvent + 2, (v) => ({ ...v, metadata: { ...v.metadata, recordedAt: 'yesterday' } }))), 'METADATA_INVALID', () => firstSimEvent + 3],
    [
      'two events of one stream swapped',
      () => {
        const [, a, b] = threeOfOneStream(original);
        return sealBundle(original.map((l, i) => (i === a ? original[b] : i === b ? original[a] : l)));
      },
      'OUT_OF_ORDER',
      () => threeOfOneStream(original)[2] + 1,
    ],
    ['an event twice', () => sealBundle([...original.slice(0, firstSimEvent + 4), original[firstSimEvent + 3].replace(/"version":\d+/, '"version":999999'), ...original.slice(firstSimEvent + 4)]), 'DUPLICATE_EVENT', () => firstSimEvent + 5],
    ["another simulation's event", () => sealBundle(replaced(firstSimEvent + 2, (v) => ({ ...v, metadata: { ...v.metadata, simulationId: '00000000-0000-4000-8000-000000000000' } }))), 'FOREIGN_EVENT', () => firstSimEvent + 3],
    ['a history that does not start with SimulationStarted', () => sealBundle(original.filter((_, i) => i !== firstSimEvent)), 'NO_SIMULATION_START', () => firstSimEvent + 1],
    ['a fork cut the header does not name', () => sealBundle(replaced(0, (v) => ({ ...v, origin: { mode: 'replay', simulationId: v.simulationId } }))), 'ORIGIN_MISMATCH', () => firstSimEvent + 1],
    ['a blob whose bytes were changed', () => sealBundle(replaced(firstBlob, (v) => ({ ...v, base64: Buffer.from('changed').toString('base64'), size: 7 }))), 'BLOB_HASH_MISMATCH', () => firstBlob + 1],
    ['an event after the blobs', () => sealBundle([...original.slice(0, -1).filter((_, i) => i !== firstSimEvent + 5), original[firstSimEvent + 5]]), 'OUT_OF_ORDER', () => original.length - 1],
    ['a count that does not fit', () => raw(replaced(original.length - 1, (v) => ({ ...v, blobs: v.blobs + 1 }))), 'COUNT_MISMATCH', () => original.length],
    ['a byte changed (not sealed again)', () => raw(original.map((l, i) => (i === firstSimEvent + 7 ? l.replace('"actor":"', '"actor":"x') : l))), 'HASH_MISMATCH', () => original.length],
    ['a bundle cut short', () => raw(original.slice(0, -1)), 'END_MISSING', () => original.length],
    ['a line after the end', () => raw([...original, original[3]]), 'AFTER_END', () => original.length + 1],
    [
      'a history that never ended',
      () => sealBundle(original.filter((l) => !/"type":"SimulationCompleted"/.test(l))),
      'NOT_ENDED',
      () => original.length - 1,
    ],
  ])('refuses %s, naming the problem and its line', (_what, tamper, problem, line) => {
    expect(refusal(tamper())).toEqual({ problem, line: line() });
  });

  it('names a blob left out, with the first line that refers to it, for the import to look for here (BLOB_MISSING when it is not)', () => {
    const hash = parsed[firstBlob].hash;
    const valid = validate(sealBundle(original.filter((_, i) => i !== firstBlob)));
    expect([...valid.blobsElsewhere]).toEqual([[hash, indexOf((v) => v.kind === 'event' && JSON.stringify(v.data).includes(hash)) + 1]]);
  });

  it('lets a blob the bundle says its source never stored through, for the import to look for here', () => {
    const hash = parsed[firstBlob].hash;
    const lines = original.filter((_, i) => i !== firstBlob);
    const end = JSON.parse(lines[lines.length - 1]);
    const sealed = sealBundle([...lines.slice(0, -1), JSON.stringify({ ...end, absentBlobs: [hash] })]);
    expect(validate(sealed).blobsElsewhere.size).toBe(0);
  });
});
