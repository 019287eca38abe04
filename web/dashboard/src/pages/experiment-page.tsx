import { useEffect, useState } from 'preact/hooks';
import type { Experiment } from '@swe-sim/api-client';
import { api, describeError } from '../api';
import { IntervalChart } from '../components/interval-chart';
import { useLoad } from '../hooks';
import { comparisonRows, fmt, intervalChart, progressByVariant } from '../view-models/experiment-view';
import { routeHash } from '../view-models/route';

/** While an experiment moves, its runs and results are read again this often. */
const POLL_MS = 3000;

function Controls({ exp, onDone }: { exp: Experiment; onDone: () => void }) {
  const [error, setError] = useState<string>();
  const act = (action: 'pause' | 'resume' | 'cancel') => async () => {
    setError(undefined);
    try {
      await api.controlExperiment(exp.experimentId, action);
    } catch (err) {
      setError(describeError(err));
    }
    onDone();
  };
  const [seeds, setSeeds] = useState('');
  const extend = async (ev: Event) => {
    ev.preventDefault();
    setError(undefined);
    const list = seeds.split(',').map((x) => x.trim()).filter(Boolean);
    if (list.length === 0 || list.some((x) => !/^\d+$/.test(x))) return setError('Seeds are whole numbers separated by commas.');
    try {
      await api.extendExperiment(exp.experimentId, { seeds: list.map(Number) });
      setSeeds('');
    } catch (err) {
      setError(describeError(err));
    }
    onDone();
  };
  const ended = exp.status === 'cancelled' || exp.status === 'completed';
  return (
    <form class="controls" onSubmit={extend}>
      <button type="button" name="pause" disabled={exp.status !== 'running'} onClick={act('pause')}>Pause</button>{' '}
      <button type="button" name="resume" disabled={exp.status !== 'paused'} onClick={act('resume')}>Resume</button>{' '}
      <button type="button" name="cancel" disabled={ended} onClick={act('cancel')}>Cancel</button>{' '}
      <label>
        More seeds <input name="seeds" value={seeds} onInput={(e) => setSeeds(e.currentTarget.value)} placeholder="e.g. 4, 5" size={10} />
      </label>{' '}
      <button type="submit" name="extend" disabled={exp.status === 'cancelled'}>Extend</button>
      {error && <span class="error"> {error}</span>}
    </form>
  );
}

function ComparisonTable({ rows, testId }: { rows: ReturnType<typeof comparisonRows>; testId: string }) {
  if (rows.length === 0) return <p class="empty">No variant has counted runs to compare yet.</p>;
  return (
    <table data-testid={testId}>
      <thead><tr><th>Variant</th><th>Metric</th><th>Difference</th><th>Interval</th><th>p</th><th>Test</th><th>Effect size</th></tr></thead>
      <tbody>
        {rows.map((c) => (
          <tr key={`${c.variant}/${c.metric}`}>
            <td>{c.variant}</td><td>{c.metric}</td><td>{fmt(c.difference)}</td><td>{c.ci}</td><td class={c.significant ? 'ok' : ''}>{fmt(c.pValue)}</td><td>{c.test}</td><td>{c.effect}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ExperimentPage({ experimentId, metric }: { experimentId: string; metric: string | null }) {
  const exp = useLoad((signal) => api.getExperiment(experimentId, signal), [experimentId]);
  const results = useLoad((signal) => api.experimentResults(experimentId, signal), [experimentId]);
  const moving = exp.data?.status === 'running' || exp.data?.status === 'paused';
  useEffect(() => {
    if (!moving) return;
    const t = setInterval(() => (exp.reload(), results.reload()), POLL_MS);
    return () => clearInterval(t);
  }, [moving]);
  const reload = () => (exp.reload(), results.reload());
  const e = exp.data;
  const r = results.data;
  const shown = metric && r?.metrics.includes(metric) ? metric : r?.metrics.includes('featuresDone') ? 'featuresDone' : r?.metrics[0];
  return (
    <>
      <section>
        <h1>Experiment {e?.name ?? <code>{experimentId.slice(0, 8)}</code>}</h1>
        {exp.error && <p class="error">{exp.error}</p>}
        {e && (
          <>
            <p>
              <span class={`status status-${e.status}`} data-testid="experiment-status">{e.status}</span> · {e.design.type === 'seeds' ? `seeds design on ${e.projectIds.length} project(s)` : `counterfactual: forks of ${e.design.from.slice(0, 8)} at ${e.design.atPosition}`}
              {' · '}{e.progress.ended}/{e.progress.total} runs ended, {e.progress.counted} counted · {e.tokensUsed} tokens{e.settings.tokenBudget ? ` of ${e.settings.tokenBudget}` : ''}
            </p>
            <Controls exp={e} onDone={reload} />
            <table data-testid="variant-progress">
              <thead><tr><th>Variant</th><th>Runs</th><th>Pending</th><th>Running</th><th>Ended</th><th>Counted</th><th>Outcomes</th></tr></thead>
              <tbody>
                {progressByVariant(e).map((v) => (
                  <tr key={v.variant} data-variant={v.variant}>
                    <td>{v.variant}{v.control ? ' (control)' : ''}</td><td>{v.total}</td><td>{v.pending}</td><td>{v.running}</td><td>{v.ended}</td><td>{v.counted}</td>
                    <td>{Object.entries(v.outcomes).map(([o, n]) => `${n} ${o}`).join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section>
        <h2>Results</h2>
        {results.error && <p class="error">{results.error}</p>}
        {r && r.runs.counted === 0 && <p class="empty">No run counted yet: results appear as runs end.</p>}
        {r && shown && (
          <>
            <label>
              Metric{' '}
              <select name="metric" value={shown} onChange={(ev) => (location.hash = routeHash({ page: 'experiment', experimentId, metric: ev.currentTarget.value }))}>
                {r.metrics.map((m) => <option key={m} value={m}>{m}</option>)}
              </select>
            </label>
            <h3>Each variant's mean of {shown} and its {Math.round(r.level * 100)}% interval</h3>
            <IntervalChart data={intervalChart(r, shown)} metric={shown} />
            <h3>Per variant</h3>
            <table data-testid="variant-metrics">
              <thead><tr><th>Variant</th><th>n</th><th>Mean</th><th>{Math.round(r.level * 100)}% interval</th><th>sd</th><th>Median</th><th>Min</th><th>Max</th><th>Runs completed</th><th>Features done</th></tr></thead>
              <tbody>
                {r.variants.map((v) => {
                  const s = v.metrics[shown];
                  const rate = (x: { rate: number | null; ci: { low: number; high: number } }) => (x.rate === null ? '–' : `${fmt(x.rate * 100)}% [${fmt(x.ci.low * 100)}, ${fmt(x.ci.high * 100)}]`);
                  return (
                    <tr key={v.name}>
                      <td>{v.name}{v.control ? ' (control)' : ''}</td><td>{v.n}</td><td>{fmt(s?.mean)}</td><td>{s?.ci ? `[${fmt(s.ci.low)}, ${fmt(s.ci.high)}]` : '–'}</td>
                      <td>{fmt(s?.sd)}</td><td>{fmt(s?.median)}</td><td>{fmt(s?.min)}</td><td>{fmt(s?.max)}</td>
                      <td>{rate(v.rates.runsCompleted)}</td><td>{rate(v.rates.featuresDone)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <h3>Against the control ({r.control})</h3>
            <ComparisonTable rows={comparisonRows(r).filter((c) => c.metric === shown)} testId="comparison" />
            <details>
              <summary>Every metric against the control</summary>
              <ComparisonTable rows={comparisonRows(r)} testId="comparison-all" />
            </details>
          </>
        )}
      </section>
      {e && (
        <section>
          <h2>Runs</h2>
          <table>
            <thead><tr><th>Variant</th><th>Seed</th><th>Status</th><th>Attempt</th><th>Outcome</th><th>Simulation</th></tr></thead>
            <tbody>
              {e.runs.map((run) => (
                <tr key={run.runId}>
                  <td>{run.variant}</td><td>{run.seed}</td><td>{run.status}</td><td>{run.attempt}{run.retries ? ` (${run.retries} retried)` : ''}</td><td>{run.outcome ?? ''}{run.counted ? '' : run.outcome ? ' (not counted)' : ''}</td>
                  <td>{run.simulationId && <a href={`#/simulations/${run.simulationId}`}><code>{run.simulationId.slice(0, 8)}</code></a>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
