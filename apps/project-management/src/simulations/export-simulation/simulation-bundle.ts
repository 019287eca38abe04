import { createHash } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { SimulationStarted, simulationStream } from '@swe-sim/contracts';
import { EventStore, StoredEvent } from '@swe-sim/event-store';
import { SimulationsRepository } from '../simulations.repository';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  BundleBlob,
  BundleEnd,
  BundleEvent,
  BundleHeader,
  BundleOrigin,
  blobRefs,
  forkCutOf,
  projectStreams,
  withForkCut,
} from '../bundle/bundle-format';

const PAGE = 500;
const ENDED = new Set(['completed', 'failed', 'cancelled']);

/**
 * A simulation's history as a bundle (bundle-format.ts), line by line, read page by page: in memory
 * only the set of blob hashes the events name. Its own bytes are hashed as they are made, for the
 * end line. The same history gives the same bytes in any installation that holds it.
 */
@Injectable()
export class SimulationBundle {
  constructor(
    private readonly store: EventStore,
    private readonly simulations: SimulationsRepository,
  ) {}

  async *lines(simulationId: string): AsyncGenerator<string> {
    const row = await this.simulations.find(simulationId);
    // A resumable failure is no end: the history may yet go on.
    if (!row || !ENDED.has(row.status) || row.process.suspension) {
      throw new ConflictException({ code: 'SIMULATION_RUNNING', message: `Simulation ${simulationId} has not ended: a bundle holds a whole history` });
    }
    const [started] = await this.store.readStream(simulationStream(simulationId), { toVersion: 1 });
    if (started?.type !== SimulationStarted.type) throw new Error(`simulation ${simulationId} has no SimulationStarted`);
    const { project, forkOf, replayOf } = started.data as { project: { projectId: string }; forkOf?: { simulationId: string; atPosition: number }; replayOf?: { simulationId: string } };
    const atEvent = forkOf ? await this.store.countSimulationEvents(forkOf.simulationId, forkOf.atPosition) : 0;
    const origin: BundleOrigin | null = forkOf
      ? { mode: 'fork', simulationId: forkOf.simulationId, atEvent }
      : replayOf
        ? { mode: 'replay', simulationId: replayOf.simulationId }
        : null;

    const hash = createHash('sha256');
    const line = (o: object) => {
      const text = JSON.stringify(o);
      hash.update(`${text}\n`);
      return text;
    };
    const refs = new Set<string>();
    const header: BundleHeader = { kind: 'bundle', format: BUNDLE_FORMAT, version: BUNDLE_VERSION, simulationId, projectId: project.projectId, origin };
    yield line(header);

    const counts = { project: 0, simulation: 0 };
    for (const e of await this.store.readStreamsRecorded(projectStreams(project.projectId))) {
      blobRefs(e.data, refs);
      counts.project++;
      yield line(eventLine('project', e));
    }
    for (let after = 0; ; ) {
      const page = await this.store.readSimulation(simulationId, { afterPosition: after, limit: PAGE, recorded: true });
      for (const e of page) {
        blobRefs(e.data, refs);
        counts.simulation++;
        // The cut as a count of the original's events: positions differ between installations.
        const data = e.streamId === started.streamId && e.streamVersion === 1 && forkCutOf(e.data) ? withForkCut(e.data, atEvent) : e.data;
        yield line(eventLine('simulation', { ...e, data }));
      }
      if (page.length < PAGE) break;
      after = page[page.length - 1].globalPosition;
    }

    const absentBlobs: string[] = [];
    let blobs = 0;
    for (const h of [...refs].sort()) {
      const bytes = await this.store.getBlob(h);
      if (!bytes) {
        absentBlobs.push(h);
        continue;
      }
      blobs++;
      const blob: BundleBlob = { kind: 'blob', hash: h, size: bytes.length, base64: bytes.toString('base64') };
      yield line(blob);
    }
    const end: BundleEnd = { kind: 'end', events: counts, blobs, absentBlobs, sha256: hash.digest('hex') };
    yield JSON.stringify(end);
  }
}

/** An event as recorded, without this installation's note of where it came from (the bundle is that). */
function eventLine(section: BundleEvent['section'], e: StoredEvent): BundleEvent {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { importedFrom, ...metadata } = e.metadata;
  return { kind: 'event', section, id: e.id, stream: e.streamId, version: e.streamVersion, type: e.type, schemaVersion: e.schemaVersion, data: e.data, metadata };
}
