import { useMemo } from 'preact/hooks';
import { api } from '../api';
import { useHistory, useLoad, useThrottledEffect } from '../hooks';
import { originOf, totalTokens } from '../view-models/lists';
import { boardOf, pokerRoundsOf, teamsOf, timelineOf } from '../view-models/simulation-view';
import { ActionsSection } from './simulation/actions-section';
import { ChartsSection } from './simulation/charts-section';
import { ConversationsSection } from './simulation/conversations-section';
import { BoardSection, MetricsSection, PokerSection, TeamsSection } from './simulation/overview-sections';
import { TimelineSection } from './simulation/timeline-section';

export function SimulationPage({ simulationId, at }: { simulationId: string; at: number | null }) {
  const history = useHistory(simulationId);
  const sim = useLoad((signal) => api.waitForSimulation(simulationId, 10_000, signal), [simulationId]);
  // The details (status, metrics, verdict) follow the history: read again at most once a second while events arrive.
  useThrottledEffect(() => history.events.length && sim.reload(), history.events.length, 1000);
  const events = history.events;
  const teams = useMemo(() => teamsOf(events), [events]);
  const board = useMemo(() => boardOf(events), [events]);
  const poker = useMemo(() => pokerRoundsOf(events), [events]);
  const timeline = useMemo(() => timelineOf(events), [events]);
  const s = sim.data;
  return (
    <>
      <section class="sim-header">
        <h1>Simulation <code>{simulationId.slice(0, 8)}</code></h1>
        {sim.error && <p class="error">{sim.error}</p>}
        {history.error && <p class="error">{history.error}</p>}
        {s && (
          <p>
            <span class={`status status-${s.status}`} data-testid="status">{s.status}</span>{' '}
            project <a href={`#/projects/${s.projectId}`}>{s.projectId.slice(0, 8)}</a>
            {' · '}{s.metrics.featuresDone}/{s.metrics.featuresTotal} features · {totalTokens(s)} tokens · {events.length} events
            {originOf(s) && <> · {originOf(s)}</>}
            {s.failure && <span class="error"> · failed {s.failure.code}: {s.failure.reason}</span>}
          </p>
        )}
        {s?.replayOf && (
          <p data-testid="replay-verdict">
            {s.replay ? (s.replay.identical ? `Replay identical (${s.replay.compared.events} events in ${s.replay.compared.streams} streams)` : `Replay diverged at ${s.replay.firstDivergence?.streamId}`) : 'Replay running…'}
          </p>
        )}
      </section>
      <TeamsSection teams={teams} />
      <BoardSection board={board} />
      {s && <MetricsSection metrics={s.metrics} />}
      <ChartsSection events={events} sprints={s?.metrics.sprints ?? []} />
      <TimelineSection simulationId={simulationId} timeline={timeline} at={at} />
      {s && <ActionsSection simulation={s} timeline={timeline} at={at} />}
      <PokerSection rounds={poker} />
      <ConversationsSection simulationId={simulationId} />
    </>
  );
}
