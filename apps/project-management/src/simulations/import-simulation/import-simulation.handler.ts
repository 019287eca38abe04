import { BadRequestException, ConflictException, Inject, Injectable, PayloadTooLargeException } from '@nestjs/common';
import { PoolClient } from 'pg';
import { EventData, EventMetadata, SimulationImported, SimulationStarted, importStream, simulationStream } from '@swe-sim/contracts';
import { DuplicateEventError, EventStore, RecordedEvent, StoredEvent } from '@swe-sim/event-store';
import { CONFIG } from '@swe-sim/service-runtime';
import { projectEventToRows } from '../../projects/projects.projection';
import { ProjectsRepository } from '../../projects/projects.repository';
import { BundleBlob, BundleEvent, projectStreams, withForkCut } from '../bundle/bundle-format';
import { SimulationProcess, processInput, startProcess } from '../simulation-process';
import { processInputOf } from '../simulation-process-input';
import { SimulationsRepository } from '../simulations.repository';
import { BundleInvalidError, BundleValidator, ValidBundle } from './bundle-validation';
import { BundleTooLargeError, NotGzipError, SpooledBundle, spoolBundle } from './spooled-bundle';

export type ImportAnswer = {
  imported: boolean;
  simulationId: string;
  projectId: string;
  events: { project: number; simulation: number };
  blobs: number;
  projectImported: boolean;
};

/** Events written per statement (one transaction for all). */
const BATCH = 500;

/**
 * Makes a bundle's history a simulation of this installation. The body is checked line by line
 * while it is spooled to a temporary file; nothing is written unless all of it passes. Then one
 * transaction writes the events as recorded (ids kept, marked importedFrom so no handler runs them
 * again), the blobs, project-management's rows (folded from the events as its subscription would)
 * and SimulationImported. Idempotent: the same bundle again changes nothing (`imported: false`).
 */
@Injectable()
export class ImportSimulationHandler {
  constructor(
    private readonly store: EventStore,
    private readonly simulations: SimulationsRepository,
    private readonly projects: ProjectsRepository,
    @Inject(CONFIG) private readonly config: { IMPORT_BODY_LIMIT_BYTES: number },
  ) {}

  async execute(body: AsyncIterable<Buffer>): Promise<ImportAnswer> {
    const validator = new BundleValidator(this.store.registry);
    const spooled = await spoolBundle(body, this.config.IMPORT_BODY_LIMIT_BYTES, (line) => validator.line(line)).catch(refusal);
    try {
      const bundle = await Promise.resolve().then(() => validator.finish()).catch(refusal);
      await this.checkBlobsHere(bundle);
      return await this.store.transaction((tx) => this.write(tx, bundle, spooled));
    } finally {
      await spooled.remove();
    }
  }

  /** Blobs the events name that the bundle does not carry must be here already. */
  private async checkBlobsHere(bundle: ValidBundle) {
    const elsewhere = [...bundle.blobsElsewhere];
    const missing = new Set(await this.store.missingBlobs(elsewhere.map(([hash]) => hash))); // one query, however many
    const first = elsewhere.find(([hash]) => missing.has(hash));
    if (first) throw invalid(new BundleInvalidError('BLOB_MISSING', first[1], `blob ${first[0]}, which this event names, is neither in the bundle nor here`));
  }

  private async write(tx: PoolClient, bundle: ValidBundle, spooled: SpooledBundle): Promise<ImportAnswer> {
    const { header, end } = bundle;
    const { simulationId, projectId } = header;
    // Of two imports of one simulation (or of two of one project's), the second waits here, then finds the first's.
    await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))', [`import:${projectId}`, `import:${simulationId}`]);
    const answer = (imported: boolean, projectImported: boolean): ImportAnswer => ({ imported, simulationId, projectId, events: end.events, blobs: end.blobs, projectImported });

    const [previous] = await this.store.readStream(importStream(simulationId), {}, tx);
    if (previous) {
      const before = previous.data as EventData<typeof SimulationImported>;
      if (before.bundleSha256 === end.sha256) return answer(false, false);
      throw new ConflictException({ code: 'SIMULATION_EXISTS', message: `Simulation ${simulationId} was imported here from another bundle (${before.bundleSha256})` });
    }
    // Not only its own stream: an event may not land in any stream that exists here (another history's).
    const taken = await this.store.existingStreams(bundle.simulationStreams, tx);
    if (taken.length) {
      throw new ConflictException({ code: 'SIMULATION_EXISTS', message: `Simulation ${simulationId}'s streams exist here already (${taken.slice(0, 3).join(', ')})` });
    }
    const writeProject = await this.projectToWrite(tx, projectId, bundle.projectEventIds);
    const cut = await this.originHere(tx, bundle);

    const importedFrom = end.sha256;
    let pending: { recorded: RecordedEvent; stored: Omit<StoredEvent, 'globalPosition' | 'transactionId'> }[] = [];
    let simulation: SimulationProcess | null = null;
    let last = { at: '', position: 0 };
    const flush = async () => {
      const positions = await this.store.insertRecorded(pending.map((p) => p.recorded), tx);
      for (const [i, p] of pending.entries()) {
        const event: StoredEvent = { ...p.stored, globalPosition: positions[i], transactionId: '' };
        if (!event.metadata.simulationId) await projectEventToRows(this.projects, tx, event);
        else simulation = foldProcess(simulation, event);
        last = { at: event.metadata.recordedAt, position: event.globalPosition };
      }
      pending = [];
    };
    let first = true;
    for await (const text of spooled.lines()) {
      if (first || !text.trim()) {
        first = false; // the header (or the blank last line)
        continue;
      }
      const line = JSON.parse(text) as BundleEvent | BundleBlob | { kind: 'end' };
      if (line.kind === 'blob') await this.store.putBlob(Buffer.from(line.base64, 'base64'), tx);
      if (line.kind !== 'event' || (line.section === 'project' && !writeProject)) continue;
      const data = cut !== null && line.type === SimulationStarted.type && line.stream === simulationStream(simulationId) ? withForkCut(line.data, cut) : line.data;
      const metadata = { ...(line.metadata as EventMetadata), importedFrom };
      const recorded: RecordedEvent = { id: line.id, streamId: line.stream, streamVersion: line.version, type: line.type, schemaVersion: line.schemaVersion, data, metadata };
      const stored = { ...recorded, data: this.store.registry.upcast(line.type, line.schemaVersion, data) };
      pending.push({ recorded, stored });
      if (pending.length >= BATCH) await flush().catch(existing);
    }
    if (pending.length) await flush().catch(existing);
    if (!simulation) throw new Error(`bundle of ${simulationId}: no SimulationStarted folded`);
    await this.simulations.save(tx, simulation, last.at, last.position);

    const imported: EventData<typeof SimulationImported> = { simulationId, projectId, bundleSha256: end.sha256, events: end.events, blobs: end.blobs, projectImported: writeProject };
    await this.store.append(importStream(simulationId), [{ type: SimulationImported.type, data: imported }], { expectedVersion: 'no_stream', metadata: { simulationId: null, actor: 'api' } }, tx);
    return answer(true, writeProject);
  }

  /**
   * Whether the project's events are to be written: yes when this installation has none of its
   * streams, no when it has every one of the bundle's project events (another simulation of it came
   * first); anything else is another project under the same id.
   */
  private async projectToWrite(tx: PoolClient, projectId: string, bundleIds: string[]): Promise<boolean> {
    const here = await this.store.readStreamsRecorded(projectStreams(projectId), tx);
    if (here.length === 0) return true;
    const ids = new Set(here.map((e) => e.id));
    if (bundleIds.every((id) => ids.has(id))) return false;
    throw new ConflictException({ code: 'PROJECT_EXISTS', message: `Project ${projectId} exists here with another history than the bundle's` });
  }

  /** A replay's or fork's original must be here; a fork's cut, counted in the bundle, becomes the position here. */
  private async originHere(tx: PoolClient, { header }: ValidBundle): Promise<number | null> {
    const origin = header.origin;
    if (!origin) return null;
    const missing = (why: string) =>
      new ConflictException({ code: 'ORIGIN_MISSING', message: `Simulation ${header.simulationId} is a ${origin.mode} of ${origin.simulationId}, ${why}: import that one first` });
    if ((await this.store.streamVersion(simulationStream(origin.simulationId), tx)) === null) throw missing('which is not here');
    if (origin.mode === 'replay') return null;
    const at = await this.store.positionOfSimulationEvent(origin.simulationId, origin.atEvent, tx);
    if (at === null) throw missing(`whose history here has fewer than the ${origin.atEvent} events the fork shares`);
    return at;
  }
}

/** The process manager's fold over one imported event, without its reactions (they are in the history). */
function foldProcess(process: SimulationProcess | null, event: StoredEvent): SimulationProcess {
  // The first event of a bundle's simulation is its SimulationStarted (checked).
  if (!process) return startProcess(event.data as EventData<typeof SimulationStarted>, event.metadata.recordedAt);
  const read = processInputOf(event);
  return read ? processInput(process, read.input, event.metadata.recordedAt).state : process;
}

/** The spooling's refusals as HTTP answers (anything else is unexpected). */
function refusal(err: unknown): never {
  if (err instanceof BundleInvalidError) throw invalid(err);
  if (err instanceof BundleTooLargeError) throw new PayloadTooLargeException({ code: 'BUNDLE_TOO_LARGE', message: err.message, limit: err.limit });
  if (err instanceof NotGzipError) throw invalid(new BundleInvalidError('NOT_GZIP', 1, err.message));
  throw err;
}

const invalid = (err: BundleInvalidError) =>
  new BadRequestException({ code: 'BUNDLE_INVALID', message: `The bundle is refused, ${err.message}`, problem: err.problem, line: err.line });

/** An id or stream version of the bundle taken here already: another history under these ids. */
function existing(err: unknown): never {
  if (err instanceof DuplicateEventError || (err as { code?: string }).code === '23505') {
    throw new ConflictException({ code: 'SIMULATION_EXISTS', message: `An event of the bundle exists here already: ${(err as Error).message}` });
  }
  throw err;
}
