import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EventRegistry, SimulationCancelled, SimulationCompleted, SimulationFailed, SimulationStarted, eventMetadataSchema, projectStream, simulationStream } from '@swe-sim/contracts';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleEnd,
  BundleEvent,
  BundleHeader,
  bundleBlobSchema,
  bundleEndSchema,
  bundleEventSchema,
  bundleHeaderSchema,
  blobRefs,
  forkCutOf,
  projectStreams,
} from '../bundle/bundle-format';

/** What can be wrong with a bundle, each named in the 400 BUNDLE_INVALID it gets. */
export type BundleProblem =
  | 'EMPTY'
  | 'NOT_GZIP'
  | 'NOT_JSON'
  | 'NOT_A_BUNDLE'
  | 'UNSUPPORTED_VERSION'
  | 'HEADER_INVALID'
  | 'UNKNOWN_LINE'
  | 'EVENT_INVALID'
  | 'OUT_OF_ORDER'
  | 'DUPLICATE_EVENT'
  | 'UNKNOWN_EVENT_TYPE'
  | 'UNKNOWN_EVENT_VERSION'
  | 'SCHEMA_INVALID'
  | 'METADATA_INVALID'
  | 'FOREIGN_EVENT'
  | 'NO_PROJECT_START'
  | 'NO_SIMULATION_START'
  | 'ORIGIN_MISMATCH'
  | 'NOT_ENDED'
  | 'BLOB_INVALID'
  | 'BLOB_HASH_MISMATCH'
  | 'DUPLICATE_BLOB'
  | 'BLOB_UNREFERENCED'
  | 'BLOB_MISSING'
  | 'END_INVALID'
  | 'COUNT_MISMATCH'
  | 'HASH_MISMATCH'
  | 'END_MISSING'
  | 'AFTER_END';

export class BundleInvalidError extends Error {
  constructor(
    readonly problem: BundleProblem,
    /** 1-based line of the bundle (decompressed). */
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** What a bundle that passed holds, for the import to check against this installation and write. */
export interface ValidBundle {
  header: BundleHeader;
  end: BundleEnd;
  /** Ids of the project's events (to tell whether this installation has that project already). */
  projectEventIds: string[];
  /** The streams the simulation's events go to: none may exist here yet. */
  simulationStreams: string[];
  /** Blobs the events name that are neither in the bundle nor absent at its source: this installation must have them. Hash → first line naming it. */
  blobsElsewhere: Map<string, number>;
}

const SIMULATION_ENDS: ReadonlySet<string> = new Set([SimulationCompleted.type, SimulationFailed.type, SimulationCancelled.type]);

/**
 * Checks a bundle line by line as it arrives (nothing of it is kept but ids, stream versions and
 * blob hashes): JSON, order, known type and version, schema after upcasting, metadata, blob bytes
 * against their hash, then the end's counts and sha256. Pure: the import checks what depends on
 * this installation (existing ids, the origin, blobs it must already have).
 */
export class BundleValidator {
  private lineNo = 0;
  private header: BundleHeader | null = null;
  private end: BundleEnd | null = null;
  private phase: 'header' | 'project' | 'simulation' | 'blobs' | 'ended' = 'header';
  private readonly hash = createHash('sha256');
  private readonly ids = new Set<string>();
  private readonly streamVersions = new Map<string, number>();
  private readonly projectEventIds: string[] = [];
  private readonly refs = new Map<string, number>();
  private readonly blobs = new Set<string>();
  private counts = { project: 0, simulation: 0, blobs: 0 };
  private ended = false;
  /** A blank line is allowed only as the last (the final newline). */
  private blankAt = 0;

  constructor(private readonly registry: EventRegistry) {}

  /** One line, without its newline. Throws BundleInvalidError at the first problem. */
  line(text: string): void {
    const n = ++this.lineNo;
    if (text.trim() === '') {
      this.blankAt ||= n;
      return;
    }
    if (this.blankAt) this.fail('NOT_JSON', this.blankAt, 'an empty line');
    if (this.phase === 'ended') this.fail('AFTER_END', n, 'a line after the end line');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      this.fail('NOT_JSON', n, `not JSON: ${(err as Error).message}`);
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (this.phase === 'header') this.onHeader(value, kind, n);
    else if (kind === 'event') this.onEvent(value, n);
    else if (kind === 'blob') this.onBlob(value, n);
    else if (kind === 'end') this.onEnd(value, n);
    else this.fail('UNKNOWN_LINE', n, `a line of kind ${JSON.stringify(kind)} (event, blob or end expected)`);
    if (kind !== 'end') this.hash.update(`${text}\n`);
  }

  /** After the last line: the whole bundle's verdict. */
  finish(): ValidBundle {
    if (!this.header) this.fail('EMPTY', 1, 'the body is empty');
    if (!this.end) this.fail('END_MISSING', this.lineNo + 1, 'the bundle has no end line: it was cut short');
    const elsewhere = new Map([...this.refs].filter(([h]) => !this.blobs.has(h) && !this.end!.absentBlobs.includes(h)));
    const projectStreamIds = new Set(projectStreams(this.header!.projectId));
    const simulationStreams = [...this.streamVersions.keys()].filter((s) => !projectStreamIds.has(s));
    return { header: this.header!, end: this.end!, projectEventIds: this.projectEventIds, simulationStreams, blobsElsewhere: elsewhere };
  }

  private onHeader(value: unknown, kind: unknown, n: number) {
    const v = value as Partial<BundleHeader> | null;
    if (kind !== 'bundle' || v?.format !== BUNDLE_FORMAT) this.fail('NOT_A_BUNDLE', n, `the first line is not a ${BUNDLE_FORMAT} header`);
    if (v.version !== BUNDLE_VERSION) this.fail('UNSUPPORTED_VERSION', n, `bundle version ${v.version}; this installation reads version ${BUNDLE_VERSION}`);
    this.header = this.parse(bundleHeaderSchema, value, 'HEADER_INVALID', n);
    this.phase = 'project';
  }

  private onEvent(value: unknown, n: number) {
    const e = this.parse(bundleEventSchema, value, 'EVENT_INVALID', n);
    const header = this.header!;
    if (this.phase === 'blobs') this.fail('OUT_OF_ORDER', n, 'an event after the blobs');
    if (e.section === 'project' && this.phase === 'simulation') this.fail('OUT_OF_ORDER', n, "a project event after the simulation's");
    this.phase = e.section;
    if (this.ids.has(e.id)) this.fail('DUPLICATE_EVENT', n, `event ${e.id} appears twice`);
    this.ids.add(e.id);
    const last = this.streamVersions.get(e.stream) ?? 0;
    if (e.version <= last) this.fail('OUT_OF_ORDER', n, `stream ${e.stream} goes from version ${last} to ${e.version}`);
    this.streamVersions.set(e.stream, e.version);
    const data = this.checkData(e, n);
    const metadata = eventMetadataSchema.safeParse(e.metadata);
    if (!metadata.success) this.fail('METADATA_INVALID', n, `${e.type}: metadata.${metadata.error.issues[0].path.join('.')}: ${metadata.error.issues[0].message}`);

    if (e.section === 'project') {
      if (!projectStreams(header.projectId).includes(e.stream) || metadata.data.simulationId !== null) {
        this.fail('FOREIGN_EVENT', n, `${e.type} in ${e.stream} is not an event of project ${header.projectId}`);
      }
      if (this.counts.project === 0 && (e.stream !== projectStream(header.projectId) || e.version !== 1)) this.fail('NO_PROJECT_START', n, 'the project section must start with its ProjectCreated');
      this.counts.project++;
      this.projectEventIds.push(e.id);
    } else {
      if (metadata.data.simulationId !== header.simulationId) this.fail('FOREIGN_EVENT', n, `${e.type} belongs to simulation ${metadata.data.simulationId}, not ${header.simulationId}`);
      if (this.counts.project === 0) this.fail('NO_PROJECT_START', n, "the simulation's events come without its project's");
      if (this.counts.simulation === 0) this.checkStart(e, data, n);
      if (e.stream === simulationStream(header.simulationId) && SIMULATION_ENDS.has(e.type)) this.ended = true;
      this.counts.simulation++;
    }
    for (const h of blobRefs(e.data)) if (!this.refs.has(h)) this.refs.set(h, n);
  }

  /** The data under its recorded version, upcast to this code's, against this code's schema. */
  private checkData(e: BundleEvent, n: number): unknown {
    if (!this.registry.has(e.type)) this.fail('UNKNOWN_EVENT_TYPE', n, `unknown event type ${e.type}`);
    const def = this.registry.get(e.type);
    if (e.schemaVersion > def.version) this.fail('UNKNOWN_EVENT_VERSION', n, `${e.type} v${e.schemaVersion} is newer than this installation's v${def.version}`);
    let data: unknown;
    try {
      data = this.registry.upcast(e.type, e.schemaVersion, e.data);
    } catch (err) {
      this.fail('SCHEMA_INVALID', n, `${e.type} v${e.schemaVersion} cannot be upcast: ${(err as Error).message}`);
    }
    const parsed = def.schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      this.fail('SCHEMA_INVALID', n, `${e.type} at "${issue.path.join('.') || '(root)'}": ${issue.message}`);
    }
    return parsed.data;
  }

  /** The simulation's first event: its SimulationStarted, of the header's project and origin. */
  private checkStart(e: BundleEvent, data: unknown, n: number) {
    const header = this.header!;
    if (e.type !== SimulationStarted.type || e.stream !== simulationStream(header.simulationId) || e.version !== 1) {
      this.fail('NO_SIMULATION_START', n, `the simulation's first event is ${e.type} in ${e.stream}, not its SimulationStarted`);
    }
    const d = data as { simulationId: string; project: { projectId: string }; replayOf?: { simulationId: string } };
    const fork = forkCutOf(d);
    const origin = header.origin;
    const same =
      d.simulationId === header.simulationId &&
      d.project.projectId === header.projectId &&
      (origin === null
        ? !fork && !d.replayOf
        : origin.mode === 'fork'
          ? fork?.simulationId === origin.simulationId && fork.atPosition === origin.atEvent
          : d.replayOf?.simulationId === origin.simulationId);
    if (!same) this.fail('ORIGIN_MISMATCH', n, "SimulationStarted does not match the header's simulation, project and origin");
  }

  private onBlob(value: unknown, n: number) {
    const b = this.parse(bundleBlobSchema, value, 'BLOB_INVALID', n);
    if (this.phase === 'project') this.fail('OUT_OF_ORDER', n, "a blob before the simulation's events");
    this.phase = 'blobs';
    const bytes = Buffer.from(b.base64, 'base64');
    if (bytes.toString('base64') !== b.base64) this.fail('BLOB_INVALID', n, `blob ${b.hash} is not canonical base64`);
    if (bytes.length !== b.size || createHash('sha256').update(bytes).digest('hex') !== b.hash) {
      this.fail('BLOB_HASH_MISMATCH', n, `blob ${b.hash}: its bytes do not hash to its name`);
    }
    if (this.blobs.has(b.hash)) this.fail('DUPLICATE_BLOB', n, `blob ${b.hash} appears twice`);
    if (!this.refs.has(b.hash)) this.fail('BLOB_UNREFERENCED', n, `blob ${b.hash} is named by no event`);
    this.blobs.add(b.hash);
    this.counts.blobs++;
  }

  private onEnd(value: unknown, n: number) {
    const end = this.parse(bundleEndSchema, value, 'END_INVALID', n);
    if (this.counts.simulation === 0) this.fail('NO_SIMULATION_START', n, 'the bundle has no simulation events');
    if (end.events.project !== this.counts.project || end.events.simulation !== this.counts.simulation || end.blobs !== this.counts.blobs) {
      this.fail('COUNT_MISMATCH', n, `the end line counts ${JSON.stringify({ ...end.events, blobs: end.blobs })}; the bundle has ${JSON.stringify(this.counts)}`);
    }
    const actual = this.hash.digest('hex');
    if (end.sha256 !== actual) this.fail('HASH_MISMATCH', n, `the lines before the end hash to ${actual}, not ${end.sha256}`);
    const named = end.absentBlobs.find((h) => !this.refs.has(h) || this.blobs.has(h));
    if (named) this.fail('END_INVALID', n, `absentBlobs names ${named}, which no event names or the bundle has`);
    if (!this.ended) this.fail('NOT_ENDED', n, 'the simulation had not ended (no SimulationCompleted, SimulationFailed or SimulationCancelled)');
    this.end = end;
    this.phase = 'ended';
  }

  private parse<S extends z.ZodTypeAny>(schema: S, value: unknown, problem: BundleProblem, n: number): z.output<S> {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    this.fail(problem, n, `${issue.path.join('.') || '(line)'}: ${issue.message}`);
  }

  private fail(problem: BundleProblem, line: number, message: string): never {
    throw new BundleInvalidError(problem, line, message);
  }
}
