import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Simulation } from '@swe-sim/api-client';
import { api } from '../api';
import { useLoad } from '../hooks';
import { isActive, simulationRow } from '../view-models/lists';

/** Simulations followed live at once: browsers allow about six connections per host. */
const LIVE_STREAMS = 3;
/** New simulations appear without a reload: the list itself is re-read this often. */
const LIST_POLL_MS = 5000;

function ProjectsList() {
  const projects = useLoad(() => api.listProjects({ limit: 100 }), []);
  if (projects.error) return <p class="error">{projects.error}</p>;
  if (!projects.data) return <p class="loading">Loading projects…</p>;
  if (projects.data.items.length === 0) return <p class="empty">No project yet: create one with <code>swe-sim projects create</code> or <code>POST /projects</code>.</p>;
  return (
    <table data-testid="projects">
      <thead><tr><th>Project</th><th>Stack</th><th>Backlog</th><th>Created</th></tr></thead>
      <tbody>
        {projects.data.items.map((p) => (
          <tr key={p.projectId}>
            <td><a href={`#/projects/${p.projectId}`}>{p.name}</a></td>
            <td>{p.stack}</td>
            <td>{p.backlogStatus} ({p.backlogSource})</td>
            <td>{new Date(p.createdAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Each simulation's details (progress, tokens), followed live through its event stream while it runs. */
function useDetails(items: { simulationId: string; updatedAt: string }[], activeIds: string[]) {
  const [details, setDetails] = useState<Record<string, Simulation>>({});
  const load = (id: string) => api.getSimulation(id).then((d) => setDetails((all) => ({ ...all, [id]: d })), () => undefined);
  // Read again whenever the list says a simulation changed since its details were read.
  const stale = items.filter((s) => !details[s.simulationId] || details[s.simulationId].updatedAt < s.updatedAt).map((s) => s.simulationId);
  useEffect(() => void stale.forEach(load), [stale.join()]);
  const live = activeIds.slice(0, LIVE_STREAMS);
  useEffect(() => {
    const abort = new AbortController();
    for (const id of live) {
      (async () => {
        let pending: ReturnType<typeof setTimeout> | undefined;
        try {
          for await (const _ of api.stream(id, { signal: abort.signal })) {
            pending ??= setTimeout(() => ((pending = undefined), load(id)), 1000);
          }
        } catch {
          // The stream ended or was refused: the list's own polling still shows the status.
        }
      })();
    }
    return () => abort.abort();
  }, [live.join()]);
  return details;
}

function SimulationsList({ projectId }: { projectId?: string }) {
  const list = useLoad(() => api.listSimulations({ projectId, limit: 50 }), [projectId]);
  useEffect(() => {
    const t = setInterval(list.reload, LIST_POLL_MS);
    return () => clearInterval(t);
  }, [projectId]);
  const items = list.data?.items ?? [];
  const details = useDetails(items, items.filter((s) => isActive(s.status)).map((s) => s.simulationId));
  if (list.error && !list.data) return <p class="error">{list.error}</p>;
  if (!list.data) return <p class="loading">Loading simulations…</p>;
  if (items.length === 0) return <p class="empty">No simulation yet: start one with <code>swe-sim simulate &lt;project&gt; --watch</code>.</p>;
  return (
    <table data-testid="simulations">
      <thead><tr><th>Simulation</th><th>Status</th><th>Progress</th><th>Tokens</th><th>Started</th><th>Origin</th></tr></thead>
      <tbody>
        {items.map((s) => {
          const row = simulationRow(s, details[s.simulationId]);
          return (
            <tr key={row.simulationId} data-simulation={row.simulationId}>
              <td><a href={`#/simulations/${row.simulationId}`}><code>{row.simulationId.slice(0, 8)}</code></a></td>
              <td><span class={`status status-${row.status}`}>{row.status}</span></td>
              <td>{row.progress}</td>
              <td>{row.tokens ?? ''}</td>
              <td>{row.startedAt ? new Date(row.startedAt).toLocaleString() : 'waiting'}</td>
              <td>{row.origin}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function ExperimentsList() {
  // An API from before experiments answers ROUTE_NOT_FOUND: say so rather than show an error.
  const list = useLoad(() => api.listExperiments({ limit: 50 }).catch((err) => (err instanceof ApiError && err.code === 'ROUTE_NOT_FOUND' ? null : Promise.reject(err))), []);
  useEffect(() => {
    const t = setInterval(list.reload, LIST_POLL_MS);
    return () => clearInterval(t);
  }, []);
  if (list.error && !list.data) return <p class="error">{list.error}</p>;
  if (list.data === null) return <p class="empty">This API has no experiments.</p>;
  if (!list.data) return <p class="loading">Loading experiments…</p>;
  if (list.data.items.length === 0) return <p class="empty">No experiment yet: run one with <code>swe-sim experiment run spec.yaml --watch</code>.</p>;
  return (
    <table data-testid="experiments">
      <thead><tr><th>Experiment</th><th>Status</th><th>Created</th><th>Updated</th></tr></thead>
      <tbody>
        {list.data.items.map((x) => (
          <tr key={x.experimentId} data-experiment={x.experimentId}>
            <td><a href={`#/experiments/${x.experimentId}`}>{x.name}</a></td>
            <td><span class={`status status-${x.status}`}>{x.status}</span></td>
            <td>{new Date(x.createdAt).toLocaleString()}</td>
            <td>{new Date(x.updatedAt).toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ListsPage({ projectId }: { projectId?: string }) {
  const project = useLoad(async () => (projectId ? api.getProject(projectId) : null), [projectId]);
  return (
    <>
      {projectId ? (
        <section>
          <h1>{project.data?.name ?? 'Project'}</h1>
          {project.error && <p class="error">{project.error}</p>}
          {project.data && <p>{String(project.data.description ?? '')}</p>}
        </section>
      ) : (
        <section>
          <h1>Projects</h1>
          <ProjectsList />
        </section>
      )}
      <section>
        <h2>Simulations</h2>
        <SimulationsList projectId={projectId} />
      </section>
      {!projectId && (
        <section>
          <h2>Experiments</h2>
          <ExperimentsList />
        </section>
      )}
    </>
  );
}
