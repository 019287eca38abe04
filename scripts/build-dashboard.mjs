// Bundles the dashboard (web/dashboard: Preact, uPlot, the API client) into dist/web/dashboard with
// esbuild: index.html, main.js and main.css, served by project-management at / and /dashboard/*.
// Everything is local: no CDN, nothing fetched at run time.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/web/dashboard');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web/dashboard/src/main.tsx')],
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  tsconfig: join(root, 'web/dashboard/tsconfig.json'),
  logLevel: 'warning',
});
copyFileSync(join(root, 'web/dashboard/index.html'), join(out, 'index.html'));
