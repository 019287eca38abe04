import { useEffect, useState } from 'preact/hooks';
import type { Workspace } from '@swe-sim/api-client';
import { api, describeError } from '../../api';
import { useKeyVersion } from '../../key-context';
import { routeHash } from '../../view-models/route';
import { TimelineEntry, timelineIndexAt } from '../../view-models/simulation-view';

/** The scrubbed position lives in the URL (`?at=`), replaced rather than pushed: dragging makes no back-button trail. */
function scrubTo(simulationId: string, at: number) {
  history.replaceState(null, '', routeHash({ page: 'simulation', simulationId, at }));
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/** The code and the simulation's state at a position (`/workspace?at`, `/state?at`), read after the scrubber rests 150 ms. */
function usePositionView(simulationId: string, position: number | null) {
  const keyVersion = useKeyVersion();
  const [view, setView] = useState<{ workspace?: Workspace; state?: Record<string, any>; error?: string; position?: number }>({});
  useEffect(() => {
    if (position === null) return;
    let cancelled = false;
    const t = setTimeout(async () => {
      try {
        const [workspace, state] = await Promise.all([api.workspace(simulationId, { at: position }), api.state(simulationId, position)]);
        if (!cancelled) setView({ workspace, state, position });
      } catch (err) {
        if (!cancelled) setView({ error: describeError(err), position });
      }
    }, 150);
    return () => ((cancelled = true), clearTimeout(t));
  }, [simulationId, position, keyVersion]);
  return view;
}

type AgentsAt = Record<string, { working: { featureId: string; as: string }[] }>;

/** The roster's agents at work at a position (the rest of the roster, idle, only counted). */
function working(state: Record<string, any>) {
  const agents = Object.entries((state.agents ?? {}) as AgentsAt);
  const busy = agents.filter(([, a]) => a.working.length > 0);
  return { busy, idle: agents.length - busy.length };
}

export function TimelineSection({ simulationId, timeline, at }: { simulationId: string; timeline: TimelineEntry[]; at: number | null }) {
  const index = timelineIndexAt(timeline, at);
  const entry = timeline[index];
  const position = entry ? entry.position : null;
  const view = usePositionView(simulationId, position);
  const [open, setOpen] = useState<string | null>(null);
  const shown = view.workspace?.files.find((f) => f.path === open);
  if (!entry) return <section><h2>Timeline</h2><p class="empty">Nothing happened yet.</p></section>;
  return (
    <section data-testid="timeline">
      <h2>Timeline</h2>
      <input
        type="range"
        name="scrub"
        min={0}
        max={timeline.length - 1}
        value={index}
        onInput={(e) => scrubTo(simulationId, timeline[Number(e.currentTarget.value)].position)}
        aria-label="position in the history"
      />
      <p>
        Step {index + 1} of {timeline.length} · position <b data-testid="position">{entry.position}</b> · <b>{entry.type}</b> {entry.summary}
      </p>
      <ol class="timeline" start={Math.max(1, index - 3)}>
        {timeline.slice(Math.max(0, index - 4), index + 5).map((t) => (
          <li key={t.position} class={t.position === entry.position ? 'current' : ''} onClick={() => scrubTo(simulationId, t.position)}>
            <span class={`kind kind-${t.kind}`}>{t.kind}</span> {t.type} <small>{t.summary}</small>
          </li>
        ))}
      </ol>
      {view.error && <p class="error">{view.error}</p>}
      <div class="at-position" data-at={view.position ?? ''}>
        <div>
          <h3>State at {view.state?.position ?? '…'}</h3>
          {view.state && (
            <ul>
              <li>status {view.state.status}, sprint {view.state.sprint?.number}</li>
              {working(view.state).busy.map(([agent, a]) => (
                <li key={agent}>{agent}: {a.working.map((w) => `${w.as} on ${w.featureId}`).join(', ')}</li>
              ))}
              <li>{working(view.state).idle} others idle</li>
            </ul>
          )}
        </div>
        <div>
          <h3>Files ({view.workspace?.files.length ?? '…'})</h3>
          <ul class="files" data-testid="files">
            {view.workspace?.files.map((f) => (
              <li key={f.path} data-path={f.path} data-hash={f.hash} class={f.path === open ? 'open' : ''} onClick={() => setOpen(f.path === open ? null : f.path)}>
                {f.path} <small>{f.hash.slice(0, 8)}</small>
              </li>
            ))}
          </ul>
        </div>
        {shown && <pre class="file-content" data-testid="file-content">{shown.content ?? '(binary or over 64 KiB)'}</pre>}
      </div>
    </section>
  );
}
