import { useState } from 'preact/hooks';
import { ReplayVerdict, Simulation, isEnded } from '@swe-sim/api-client';
import { api, describeError } from '../../api';
import { TimelineEntry, timelineIndexAt } from '../../view-models/simulation-view';

const DEFAULT_OVERRIDES = '{"models": {"default": {"sampling": {"temperature": 0.9}}}}';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A replay's verdict: the answer when it settled within the wait, else read from the replay until it has one. */
async function replayVerdict(simulationId: string): Promise<ReplayVerdict & { replayId: string }> {
  const started = await api.replay(simulationId, 30_000);
  if (started.status === 'compared') return started;
  for (;;) {
    await sleep(1000);
    const replay = await api.waitForSimulation(started.replayId);
    if (replay.replay) return { ...replay.replay, replayId: started.replayId };
  }
}

export function ActionsSection({ simulation, timeline, at }: { simulation: Simulation; timeline: TimelineEntry[]; at: number | null }) {
  const [replay, setReplay] = useState<{ running?: boolean; verdict?: ReplayVerdict & { replayId: string }; error?: string }>({});
  const [overrides, setOverrides] = useState(DEFAULT_OVERRIDES);
  const [fork, setFork] = useState<{ running?: boolean; id?: string; error?: string }>({});
  const ended = isEnded(simulation);
  const position = timeline[timelineIndexAt(timeline, at)]?.position;

  const startReplay = async () => {
    setReplay({ running: true });
    try {
      setReplay({ verdict: await replayVerdict(simulation.simulationId) });
    } catch (err) {
      setReplay({ error: describeError(err) });
    }
  };
  const startFork = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(overrides || '{}');
    } catch {
      return setFork({ error: 'The overrides are not valid JSON.' });
    }
    setFork({ running: true });
    try {
      const forked = await api.fork(simulation.simulationId, { atPosition: position!, overrides: parsed });
      // The read model may not know the fork for a moment: open its page once it does.
      await api.waitForSimulation(forked.simulationId);
      setFork({ id: forked.simulationId });
      location.hash = `#/simulations/${forked.simulationId}`;
    } catch (err) {
      setFork({ error: describeError(err) });
    }
  };

  return (
    <section data-testid="actions">
      <h2>Replay and fork</h2>
      <div class="actions">
        <div>
          <button name="replay" disabled={!ended || replay.running} onClick={startReplay}>{replay.running ? 'Replaying…' : 'Replay'}</button>
          {!ended && <small> once the simulation has ended</small>}
          {replay.verdict && (
            <p data-testid="replay-result" class={replay.verdict.identical ? 'ok' : 'error'}>
              {replay.verdict.identical
                ? `Identical: ${replay.verdict.compared.events} events in ${replay.verdict.compared.streams} streams.`
                : `Diverged in ${replay.verdict.firstDivergence?.streamId} at event ${replay.verdict.firstDivergence?.index}.`}{' '}
              <a href={`#/simulations/${replay.verdict.replayId}`}>Open the replay</a>
            </p>
          )}
          {replay.error && <p class="error">{replay.error}</p>}
        </div>
        <div>
          <label>
            Overrides (JSON: models, roster, sprints, process, budgets)
            <textarea name="overrides" rows={3} value={overrides} onInput={(e) => setOverrides(e.currentTarget.value)} />
          </label>
          <button name="fork" disabled={position === undefined || fork.running} onClick={startFork}>
            {fork.running ? 'Forking…' : `Fork at position ${position ?? '…'}`}
          </button>
          {fork.id && <p>Forked: <a href={`#/simulations/${fork.id}`}>{fork.id.slice(0, 8)}</a></p>}
          {fork.error && <p class="error">{fork.error}</p>}
        </div>
      </div>
    </section>
  );
}
