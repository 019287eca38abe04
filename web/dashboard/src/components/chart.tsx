import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** A uPlot chart, made again when its data change (histories are short: a few sprints, a few dozen points). */
export function Chart({ options, data, testId }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const plot = new uPlot({ width: Math.min(560, el.current.clientWidth || 560), height: 240, ...options }, data, el.current);
    return () => plot.destroy();
  }, [JSON.stringify(data)]);
  return <div class="chart" data-testid={testId} ref={el} />;
}

/** Series colours; tests count the first burndown colour's pixels in the canvas. */
export const PALETTE = ['#d9480f', '#1c7ed6', '#2b8a3e', '#862e9c', '#e67700', '#0b7285'];
