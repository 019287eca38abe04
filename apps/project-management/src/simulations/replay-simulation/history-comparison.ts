import { ReplayDivergence, SimulationReplayCompared, SimulationStarted } from '@swe-sim/contracts';
import { diffValues, stableStringify } from '@swe-sim/kit';

/** An event as the comparison needs it. */
export interface ComparedEvent {
  streamId: string;
  type: string;
  data: unknown;
  globalPosition: number;
}

export interface HistoryComparison {
  identical: boolean;
  compared: { streams: number; events: number };
  firstDivergence: ReplayDivergence | null;
}

/**
 * Streams that hold a re-execution's inputs, not what it decided: LLM answers and sandbox results
 * (taken from the original's recording, and checked there call by call), and the transport's
 * request/reply streams.
 */
const INPUT_STREAM_PREFIXES = ['llm-', 'rpc-', 'sandbox-'];

/** Measured durations: a re-execution runs at its own speed, and says so. */
const MEASURED_FIELDS = new Set(['durationMs', 'wallTimeMs', 'llmTimeMs', 'sandboxTimeMs']);

/**
 * Events several agents append to one stream at once (the votes of a poker round): a run of them
 * is one decision whatever the order they arrived in, so a run is compared in a canonical order.
 */
const CONCURRENT_IN_STREAM: ReadonlySet<string> = new Set(['EstimateCast']);

/** What a re-execution adds about itself (its origin, its verdict) and so never matches. */
const ABOUT_THE_RUN: ReadonlySet<string> = new Set([SimulationReplayCompared.type]);

/**
 * What the infrastructure did to a run, not what its agents decided: retries of a step cut off by a
 * fault, a suspension and its resume. A re-execution meets other faults than its original (or
 * none), and must still be identical in everything the simulation reports.
 */
// SimulationQueued too: waiting for a slot decides nothing (its events carry no simulation, but a history given whole may hold them).
const INFRASTRUCTURE: ReadonlySet<string> = new Set(['TaskStepInterrupted', 'AgentTaskSuspended', 'AgentTaskResumed', 'EstimateSuspended', 'SimulationResumed', 'SimulationQueued']);
const isInfrastructure = (e: ComparedEvent) => INFRASTRUCTURE.has(e.type) || (e.type === 'SimulationFailed' && (e.data as { resumable?: boolean }).resumable === true);

/**
 * Compares a re-execution's history with its original's, stream by stream: every stream a
 * simulation's deciders write (the simulation, its sprints, poker rounds, features, formation,
 * tasks) must hold the same events in the same order, with the same data once the re-execution's
 * own ids stand for the original's and measured durations are left out. How events of different
 * streams interleave is concurrency, not a decision, and is not compared.
 *
 * `until`: compare only the original's events up to that position, each against the same place in
 * the re-execution's stream (what a fork shares); the re-execution may go on past it.
 * Pure: both histories are given whole, in position order.
 */
export function compareHistories(
  original: { simulationId: string; events: readonly ComparedEvent[] },
  rerun: { simulationId: string; events: readonly ComparedEvent[] },
  options: { until?: number } = {},
): HistoryComparison {
  const ours = (s: string) => s.split(original.simulationId).join(rerun.simulationId);
  // A fork's own SimulationStarted records its overrides: what it shares is what came after.
  const fork = options.until !== undefined;
  const expected = byStream(original.events, original.simulationId, fork);
  const actual = byStream(rerun.events, rerun.simulationId, fork);
  let events = 0;
  let first: ReplayDivergence | null = null;
  const consider = (d: ReplayDivergence, position: number) => {
    if (!first || position < firstPosition) {
      first = d;
      firstPosition = position;
    }
  };
  let firstPosition = Infinity;

  for (const [streamId, want] of expected) {
    const got = actual.get(ours(streamId)) ?? [];
    for (let i = 0; i < want.length; i++) {
      const e = want[i];
      if (options.until !== undefined && e.event.globalPosition > options.until) break;
      events++;
      const a = got[i];
      if (!a) {
        consider({ streamId, index: i, expected: ref(e.event), actual: null, differences: [`the re-execution has no event ${i} in this stream (the original has ${e.event.type})`] }, e.event.globalPosition);
        break;
      }
      const differences = a.event.type !== e.event.type ? [`type: recorded ${e.event.type} vs now ${a.event.type}`] : diffValues(JSON.parse(ours(JSON.stringify(e.data))), a.data, 10).map((d) => `data.${d}`);
      if (differences.length) {
        consider({ streamId, index: i, expected: ref(e.event), actual: ref(a.event), differences }, e.event.globalPosition);
        break;
      }
    }
    if (options.until === undefined && got.length > want.length) {
      const extra = got[want.length].event;
      consider({ streamId, index: want.length, expected: null, actual: ref(extra), differences: [`the re-execution has an event the original does not: ${extra.type}`] }, Infinity);
    }
  }
  if (options.until === undefined) {
    const theirs = new Set([...expected.keys()].map(ours));
    for (const [streamId, got] of actual) {
      if (theirs.has(streamId)) continue;
      const extra = got[0].event;
      consider({ streamId: streamId.split(rerun.simulationId).join(original.simulationId), index: 0, expected: null, actual: ref(extra), differences: [`the re-execution has a stream the original does not, opening with ${extra.type}`] }, Infinity);
    }
  }
  return { identical: first === null, compared: { streams: expected.size, events }, firstDivergence: first };
}

const ref = (e: ComparedEvent) => ({ type: e.type, position: e.globalPosition });

/** The compared streams, each event's data normalised: its sandboxes numbered, measured fields and run markers out. */
function byStream(events: readonly ComparedEvent[], simulationId: string, withoutConfig: boolean): Map<string, { event: ComparedEvent; data: unknown }[]> {
  const streams = new Map<string, { event: ComparedEvent; data: unknown }[]>();
  const sandboxes = new Map<string, Map<string, string>>();
  for (const e of events) {
    if (INPUT_STREAM_PREFIXES.some((p) => e.streamId.startsWith(p)) || ABOUT_THE_RUN.has(e.type) || isInfrastructure(e)) continue;
    let list = streams.get(e.streamId);
    if (!list) streams.set(e.streamId, (list = []));
    // Sandboxes are named by each run: the nth sandbox a stream names is the same one in both.
    let names = sandboxes.get(e.streamId);
    if (!names) sandboxes.set(e.streamId, (names = new Map()));
    list.push({ event: e, data: normalise(e.type === SimulationStarted.type ? startedWithoutOrigin(e.data, simulationId, withoutConfig) : e.data, names!) });
  }
  for (const list of streams.values()) canonicalRuns(list);
  return streams;
}

/** Sorts each run of consecutive concurrent events (same type) by its data. */
function canonicalRuns(list: { event: ComparedEvent; data: unknown }[]): void {
  for (let i = 0; i < list.length; ) {
    let j = i + 1;
    if (CONCURRENT_IN_STREAM.has(list[i].event.type)) while (j < list.length && list[j].event.type === list[i].event.type) j++;
    if (j - i > 1) {
      const run = list.slice(i, j).sort((a, b) => (stableStringify(a.data) < stableStringify(b.data) ? -1 : 1));
      list.splice(i, j - i, ...run);
    }
    i = j;
  }
}

function startedWithoutOrigin(data: unknown, simulationId: string, withoutConfig: boolean): unknown {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { forkOf, replayOf, config, ...rest } = data as Record<string, unknown>;
  return withoutConfig ? { ...rest, simulationId } : { ...rest, config, simulationId };
}

function normalise(value: unknown, sandboxes: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => normalise(v, sandboxes));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (MEASURED_FIELDS.has(k)) continue;
    if (k === 'sandboxId' && typeof v === 'string') {
      if (!sandboxes.has(v)) sandboxes.set(v, `sandbox#${sandboxes.size + 1}`);
      out[k] = sandboxes.get(v);
      continue;
    }
    out[k] = normalise(v, sandboxes);
  }
  return out;
}
