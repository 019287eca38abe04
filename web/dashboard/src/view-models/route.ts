/**
 * Hash routes, so a link says what is shown and works when shared:
 * `#/`, `#/projects/<id>`, `#/simulations/<id>?at=<position>` (the timeline's scrubbed position),
 * `#/experiments/<id>?metric=<name>` (the metric charted).
 */
export type Route =
  | { page: 'home' }
  | { page: 'project'; projectId: string }
  | { page: 'simulation'; simulationId: string; at: number | null }
  | { page: 'experiment'; experimentId: string; metric: string | null }
  | { page: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const [path, query = ''] = hash.replace(/^#/, '').split('?');
  const params = new URLSearchParams(query);
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'home' };
  if (parts[0] === 'projects' && parts.length === 2) return { page: 'project', projectId: parts[1] };
  if (parts[0] === 'simulations' && parts.length === 2) {
    const at = params.get('at');
    return {
      page: 'simulation',
      simulationId: parts[1],
      at: at !== null && /^\d+$/.test(at) ? Number(at) : null,
    };
  }
  if (parts[0] === 'experiments' && parts.length === 2) return { page: 'experiment', experimentId: parts[1], metric: params.get('metric') };
  return { page: 'not-found', hash };
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'home': return '#/';
    case 'project': return `#/projects/${route.projectId}`;
    case 'simulation': {
      return `#/simulations/${route.simulationId}${route.at !== null ? `?at=${route.at}` : ''}`;
    }
    case 'experiment': return `#/experiments/${route.experimentId}${route.metric ? `?metric=${encodeURIComponent(route.metric)}` : ''}`;
    case 'not-found': return route.hash;
  }
}
