import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DASHBOARD_PREFIX, dashboardAsset } from './dashboard-asset';

/** The parts of Express's request and response used here (its types are not a dependency). */
interface Request {
  path: string;
}
interface Response {
  status(code: number): Response;
  set(headers: Record<string, string>): Response;
  json(body: unknown): void;
  send(body: Buffer): void;
}

/** The bundle scripts/build-dashboard.mjs writes: dist/web/dashboard, next to this service's compiled code. */
export const DASHBOARD_DIR = join(__dirname, '../../../../web/dashboard');

/**
 * GET / and GET /dashboard/:file: the web dashboard, a static bundle that uses the public API like
 * any client (the key a person enters goes in its own requests). Exact routes only (see
 * dashboardAsset), so an API request never costs a file-system call. Without a built bundle nothing
 * is served and `/` stays ROUTE_NOT_FOUND.
 */
export function serveDashboard(app: NestExpressApplication, dir = DASHBOARD_DIR): void {
  if (!existsSync(join(dir, 'index.html'))) return;
  const http = app.getHttpAdapter();
  const send = async (req: Request, res: Response) => {
    const asset = dashboardAsset(req.path);
    if (!asset) return res.status(404).json({ error: { code: 'ROUTE_NOT_FOUND', message: `Cannot GET ${req.path}` } });
    try {
      const body = await readFile(join(dir, asset.file));
      // index.html names the bundle by a fixed path: revalidate it rather than cache it for long.
      res.set({ 'content-type': asset.contentType, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).send(body);
    } catch {
      res.status(404).json({ error: { code: 'ROUTE_NOT_FOUND', message: `The dashboard has no ${asset.file}: run npm run build` } });
    }
  };
  http.get('/', send);
  http.get(`${DASHBOARD_PREFIX}:file`, send);
}
