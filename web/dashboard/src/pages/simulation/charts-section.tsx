import { useMemo } from 'preact/hooks';
import type { HistoryEvent } from '@swe-sim/api-client';
import { Chart, PALETTE } from '../../components/chart';
import { burndownOf, burndownSeries, velocitySeries } from '../../view-models/simulation-view';

export function ChartsSection({ events, sprints }: { events: HistoryEvent[]; sprints: { sprint: number; committedPoints: number; deliveredPoints: number }[] }) {
  const burndown = useMemo(() => burndownOf(events), [events]);
  return (
    <section>
      <h2>Charts</h2>
      <div class="charts">
        <div>
          <h3>Burndown (points left after each feature settled)</h3>
          {burndown.length === 0 ? (
            <p class="empty">No sprint started yet.</p>
          ) : (
            <Chart
              testId="burndown"
              data={burndownSeries(burndown) as uPlot.AlignedData}
              options={{
                scales: { x: { time: false } },
                axes: [{ label: 'features settled', incrs: [1] }, { label: 'points left' }],
                series: [{ label: 'step' }, ...burndown.map((b, i) => ({ label: `sprint ${b.sprint}`, stroke: PALETTE[i % PALETTE.length], width: 3, points: { size: 8 } }))],
              }}
            />
          )}
        </div>
        <div>
          <h3>Velocity (points per sprint)</h3>
          {sprints.length === 0 ? (
            <p class="empty">No sprint ended yet.</p>
          ) : (
            <Chart
              testId="velocity"
              data={velocitySeries(sprints) as uPlot.AlignedData}
              options={{
                scales: { x: { time: false } },
                axes: [{ label: 'sprint', incrs: [1] }, { label: 'points' }],
                series: [
                  { label: 'sprint' },
                  { label: 'committed', stroke: PALETTE[1], width: 2, points: { size: 8 } },
                  { label: 'delivered', stroke: PALETTE[2], width: 2, points: { size: 8 } },
                ],
              }}
            />
          )}
        </div>
      </div>
    </section>
  );
}
