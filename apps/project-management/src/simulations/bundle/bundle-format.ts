import { z } from 'zod';
import { sha256Schema } from '@swe-sim/contracts';

/**
 * A bundle: one simulation's history made portable, as JSON lines (docs/histories.md).
 *
 *   1     header  {kind:"bundle", format, version, simulationId, projectId, origin}
 *   …     events  {kind:"event", section:"project"|"simulation", id, stream, version, type, schemaVersion, data, metadata}
 *   …     blobs   {kind:"blob", hash, size, base64}
 *   last  end     {kind:"end", events:{project, simulation}, blobs, absentBlobs, sha256}
 *
 * Events are written as recorded (schema version, ids, streams, metadata), in position order; the
 * project's first, then the simulation's. Ids are kept: replays and forks find the original's
 * recorded answers by ids derived from its simulation and task ids. The only value that depends
 * on the installation, a fork's cut (`forkOf.atPosition` in SimulationStarted), is written as a
 * count of the original's events and turned back into a position on import. `sha256` is the
 * hash of every byte before the end line, so the export streams in one pass.
 */
export const BUNDLE_FORMAT = 'swe-sim-bundle';
export const BUNDLE_VERSION = 1;

const uuid = z.string().uuid();

export const bundleOriginSchema = z.discriminatedUnion('mode', [
  /** `atEvent`: the fork shares the original's first atEvent events (in position order). */
  z.object({ mode: z.literal('fork'), simulationId: uuid, atEvent: z.number().int().positive() }).strict(),
  z.object({ mode: z.literal('replay'), simulationId: uuid }).strict(),
]);
export type BundleOrigin = z.infer<typeof bundleOriginSchema>;

export const bundleHeaderSchema = z
  .object({
    kind: z.literal('bundle'),
    format: z.literal(BUNDLE_FORMAT),
    version: z.number().int().positive(),
    simulationId: uuid,
    projectId: uuid,
    origin: bundleOriginSchema.nullable(),
  })
  .strict();
export type BundleHeader = z.infer<typeof bundleHeaderSchema>;

export const bundleEventSchema = z
  .object({
    kind: z.literal('event'),
    section: z.enum(['project', 'simulation']),
    id: uuid,
    stream: z.string().min(1).max(500),
    version: z.number().int().positive(),
    type: z.string().min(1),
    schemaVersion: z.number().int().positive(),
    data: z.unknown(),
    metadata: z.record(z.unknown()),
  })
  .strict();
export type BundleEvent = z.infer<typeof bundleEventSchema>;

export const bundleBlobSchema = z
  .object({ kind: z.literal('blob'), hash: sha256Schema, size: z.number().int().nonnegative(), base64: z.string() })
  .strict();
export type BundleBlob = z.infer<typeof bundleBlobSchema>;

export const bundleEndSchema = z
  .object({
    kind: z.literal('end'),
    events: z.object({ project: z.number().int().nonnegative(), simulation: z.number().int().positive() }).strict(),
    blobs: z.number().int().nonnegative(),
    /** Hashes events name whose bytes the exporting installation never stored (a file too large for the blob table). */
    absentBlobs: z.array(sha256Schema),
    sha256: sha256Schema,
  })
  .strict();
export type BundleEnd = z.infer<typeof bundleEndSchema>;

/** The streams of a project's own history. */
export const projectStreams = (projectId: string) => [`project-${projectId}`, `backlog-${projectId}`, `staffing-${projectId}`];

/** Fields whose sha256 names bytes in the blob table (LLM bodies, files, command output). */
const BLOB_FIELDS: ReadonlySet<string> = new Set(['blob', 'hash', 'stdoutHash', 'stderrHash']);
const SHA256 = /^[0-9a-f]{64}$/;

/** The blob hashes an event's data refers to. */
export function blobRefs(data: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(data)) data.forEach((d) => blobRefs(d, into));
  else if (data && typeof data === 'object') {
    for (const [k, v] of Object.entries(data)) {
      if (BLOB_FIELDS.has(k) && typeof v === 'string' && SHA256.test(v)) into.add(v);
      else if (v && typeof v === 'object') blobRefs(v, into);
    }
  }
  return into;
}

/** A fork's cut in a SimulationStarted's data, whichever way it is counted. */
export const forkCutOf = (data: unknown): { simulationId: string; atPosition: number } | undefined =>
  (data as { forkOf?: { simulationId: string; atPosition: number } } | null)?.forkOf;

/** The data with its fork's cut replaced (positions here ↔ event counts in a bundle). */
export function withForkCut<T>(data: T, at: number): T {
  const d = data as { forkOf: { simulationId: string; atPosition: number } };
  return { ...d, forkOf: { ...d.forkOf, atPosition: at } } as T;
}
