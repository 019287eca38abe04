import uPlot from 'uplot';
import { Chart } from './chart';
import type { IntervalChartData } from '../view-models/experiment-view';

/** Colours of the interval chart: tests look for the mean's colour in the canvas. */
export const INTERVAL_COLOUR = '#495057';
export const MEAN_COLOUR = '#d9480f';

/**
 * Each variant's mean with its interval, drawn on the canvas by a draw hook: the interval's line
 * and caps first, then the mean's marker, so a single-point interval (sd 0) never hides the mean.
 */
function drawIntervals(data: IntervalChartData) {
  return (u: uPlot) => {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    data.names.forEach((_, i) => {
      const mean = data.mean[i];
      if (mean === null) return;
      const x = u.valToPos(i, 'x', true);
      const low = u.valToPos(data.low[i]!, 'y', true);
      const high = u.valToPos(data.high[i]!, 'y', true);
      const cap = 10 * dpr;
      ctx.strokeStyle = INTERVAL_COLOUR;
      ctx.lineWidth = 2 * dpr;
      ctx.beginPath();
      ctx.moveTo(x, low);
      ctx.lineTo(x, high);
      ctx.moveTo(x - cap, low);
      ctx.lineTo(x + cap, low);
      ctx.moveTo(x - cap, high);
      ctx.lineTo(x + cap, high);
      ctx.stroke();
      ctx.fillStyle = MEAN_COLOUR;
      ctx.beginPath();
      ctx.arc(x, u.valToPos(mean, 'y', true), 6 * dpr, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.restore();
  };
}

export function IntervalChart({ data, metric }: { data: IntervalChartData; metric: string }) {
  const x = data.names.map((_, i) => i);
  return (
    // Keyed by the metric: two metrics with the same values still need their own axis label.
    <Chart
      key={metric}
      testId="interval-chart"
      data={[x, data.mean] as uPlot.AlignedData}
      options={{
        scales: { x: { time: false, range: [-0.5, data.names.length - 0.5] }, y: { range: data.range } },
        axes: [{ label: 'variant', splits: () => x, values: (_u, splits) => splits.map((i) => data.names[i] ?? '') }, { label: metric }],
        // The series only sets the legend and scales: the hook draws it.
        series: [{ label: 'variant', value: (_u, i) => (i === null ? '' : data.names[i] ?? '') }, { label: `mean ${metric}`, stroke: MEAN_COLOUR, paths: () => null, points: { show: false } }],
        legend: { show: false },
        hooks: { draw: [drawIntervals(data)] },
      }}
    />
  );
}
