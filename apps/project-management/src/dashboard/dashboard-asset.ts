/**
 * Which requests the dashboard answers, as a pure path rule: `/` (index.html) and the bundle's own
 * files under `/dashboard/` (main.js, main.css and their maps). Nothing else ever reaches the file
 * system: the dashboard is served by exact routes, not by a static middleware that would `stat` a
 * file for every API request (clients poll simulations many times a second).
 */
export const DASHBOARD_PREFIX = '/dashboard/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The bundle's files, as scripts/build-dashboard.mjs writes them. */
export const DASHBOARD_FILES = ['index.html', 'main.js', 'main.css', 'main.js.map', 'main.css.map'] as const;

export function dashboardAsset(path: string): { file: (typeof DASHBOARD_FILES)[number]; contentType: string } | null {
  if (path === '/') return { file: 'index.html', contentType: TYPES['.html'] };
  if (!path.startsWith(DASHBOARD_PREFIX)) return null;
  const name = path.slice(DASHBOARD_PREFIX.length);
  const file = DASHBOARD_FILES.find((f) => f === name && f !== 'index.html');
  if (!file) return null;
  return { file, contentType: TYPES[file.slice(file.lastIndexOf('.'))] };
}
