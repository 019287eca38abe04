import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { REPO_ROOT, eventually } from '@swe-sim/testing';
import { SimulationStack, startSimulationStack, twoModuleProject } from '../support/simulation-stack';

/**
 * Issue 12 with issue 11: an experiment run by the built CLI (`experiment run --watch`, `report`,
 * `--csv`, `--json`) and shown by the dashboard in Debian chromium (list, progress per variant,
 * each variant's mean and interval, comparison, pause/resume/cancel buttons).
 */
describe('experiments in the CLI and the dashboard', () => {
  const bin = join(REPO_ROOT, 'dist/apps/cli/src/main.js');
  const shots = join(REPO_ROOT, 'test-output/dashboard');
  let stack: SimulationStack;
  let browser: Browser;
  let page: Page;
  let folder: string;
  let projectId: string;
  let experimentId: string;

  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(bin, args, { env: { ...process.env, SWE_SIM_URL: stack.pm.url, SWE_SIM_API_KEY: '' } }, (err, stdout, stderr) => resolve({ code: err ? Number((err as any).code ?? 1) : 0, stdout, stderr }));
    });
  const get = async (path: string) => {
    const r = await fetch(`${stack.pm.url}${path}`);
    return (r.headers.get('content-type') ?? '').includes('json') ? ((await r.json()) as any) : r.text();
  };
  const spec = (name: string, seeds: number[], concurrency: number) => {
    const file = join(folder, `${name}.yaml`);
    writeFileSync(
      file,
      [
        `name: ${name}`,
        `projects: [${projectId}]`,
        `seeds: [${seeds.join(', ')}]`,
        `concurrency: ${concurrency}`,
        'variants:',
        '  - name: cold',
        '    control: true',
        '    overrides: {models: {default: {sampling: {temperature: 0.2}}}}',
        '  - name: hot',
        '    overrides: {models: {default: {sampling: {temperature: 0.9}}}}',
        '',
      ].join('\n'),
    );
    return file;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    folder = mkdtempSync(join(tmpdir(), 'swe-sim-exp-ui-'));
    [stack, browser] = await Promise.all([startSimulationStack('simulation-complete.json'), chromium.launch({ executablePath: '/usr/bin/chromium', headless: true })]);
    projectId = (await stack.post('/projects', twoModuleProject())).body.projectId;
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('experiment run --watch runs 2 variants × 2 seeds to the end and reports what the API reports', async () => {
    const run = await cli(['experiment', 'run', spec('temperature', [1, 2], 4), '--watch']);
    expect(run.code).toBe(0);
    experimentId = /experiment ([0-9a-f-]{36}) \(4 runs\)/.exec(run.stdout)![1];
    expect(run.stdout.match(/^ {2}(cold|hot) seed \d: completed$/gm)).toHaveLength(4);
    expect(run.stdout).toMatch(/completed: 4\/4 runs counted/);
    const results = await get(`/experiments/${experimentId}/results`);
    // Every metric of every variant is a row of the report, with the API's n and mean (to the 4 digits printed).
    const rows = new Map([...run.stdout.matchAll(/^(\S+) +(\w[\w-]*?)\*? +(\d+) +(-?[\d.e+]+) /gm)].map((m) => [`${m[1]}/${m[2]}`, { n: Number(m[3]), mean: Number(m[4]) }]));
    let checked = 0;
    for (const metric of results.metrics) {
      for (const v of results.variants) {
        const s = v.metrics[metric];
        if (!s) continue;
        const row = rows.get(`${metric}/${v.name}`);
        expect([metric, v.name, row?.n]).toEqual([metric, v.name, s.n]);
        expect(Math.abs(row!.mean - s.mean)).toBeLessThanOrEqual(Math.abs(s.mean) * 5e-4);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    const json = await cli(['experiment', 'report', experimentId, '--json']);
    expect(JSON.parse(json.stdout)).toEqual(results);
    const csv = await cli(['experiment', 'report', experimentId, '--csv']);
    expect(csv).toMatchObject({ code: 0, stdout: await get(`/experiments/${experimentId}/results?format=csv`) });
    expect((await cli(['experiment', 'status', experimentId])).stdout).toMatch(/completed[\s\S]*cold \(control\): 2\/2 ended\n {2}hot: 2\/2 ended/);
    expect((await cli(['experiment', 'pause', experimentId])).code).toBe(3);
    expect((await cli(['experiment', 'extend', experimentId])).code).toBe(2);
  }, 120_000);

  it('the experiment page shows progress per variant, each mean over its interval, and the comparison', async () => {
    await page.goto(`${stack.pm.url}/`);
    await page.locator(`[data-experiment="${experimentId}"]`, { hasText: 'completed' }).waitFor();
    await page.locator(`[data-experiment="${experimentId}"] a`).click();
    for (const v of ['cold', 'hot']) await page.locator(`[data-testid=variant-progress] [data-variant="${v}"] td:last-child`, { hasText: '2 completed' }).waitFor();
    await page.locator('[data-testid=comparison] tr', { hasText: 'hot' }).first().waitFor();
    const canvas = page.locator('[data-testid=interval-chart] canvas');
    await canvas.waitFor();
    // featuresDone is the same in every run here: each interval is a single point (sd 0). The mean's marker (#d9480f)
    // is drawn after the interval, so in each variant's half of the plot the marker's centre is its colour, not the
    // interval's line through it.
    const readMarkers = () => canvas.evaluate((c: any) => {
      const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
      const mean = (i: number) => Math.abs(data[i] - 0xd9) < 12 && Math.abs(data[i + 1] - 0x48) < 12 && Math.abs(data[i + 2] - 0x0f) < 12 && data[i + 3] > 200;
      const box = [0, 1].map(() => ({ n: 0, x0: Infinity, x1: -1, y0: Infinity, y1: -1 }));
      for (let i = 0; i < data.length; i += 4) {
        if (!mean(i)) continue;
        const x = (i / 4) % c.width;
        const y = Math.floor(i / 4 / c.width);
        const b = box[x < c.width / 2 ? 0 : 1];
        Object.assign(b, { n: b.n + 1, x0: Math.min(b.x0, x), x1: Math.max(b.x1, x), y0: Math.min(b.y0, y), y1: Math.max(b.y1, y) });
      }
      return box.map((b) => ({ n: b.n, centre: b.n > 0 && mean((Math.round((b.y0 + b.y1) / 2) * c.width + Math.round((b.x0 + b.x1) / 2)) * 4) }));
    });
    // uPlot draws on the next animation frame: give a loaded machine a few seconds.
    let markers = await readMarkers();
    for (const deadline = Date.now() + 10_000; markers.some((m) => m.n <= 60) && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) markers = await readMarkers();
    expect(markers).toEqual([
      { n: expect.any(Number), centre: true },
      { n: expect.any(Number), centre: true },
    ]);
    expect(Math.min(...markers.map((m) => m.n))).toBeGreaterThan(60);
    // The metric is in the link.
    const results = await get(`/experiments/${experimentId}/results`);
    const other = results.metrics.find((m: string) => m !== 'featuresDone');
    await page.locator('select[name=metric]').selectOption(other);
    expect(page.url()).toContain(`?metric=${other}`);
    await page.locator('h3', { hasText: `mean of ${other} ` }).waitFor();
    await page.locator('[data-testid=comparison] tr', { hasText: other }).waitFor();
    await page.screenshot({ path: join(shots, 'experiment.png'), fullPage: true });
  }, 60_000);

  it('pause, resume, extend and cancel from the page', async () => {
    const created = await cli(['experiment', 'run', spec('buttons', [1, 2, 3, 4, 5, 6], 1), '--json']);
    const id = JSON.parse(created.stdout).experimentId;
    const status = async () => (await get(`/experiments/${id}`)).status;
    await page.goto(`${stack.pm.url}/#/experiments/${id}`);
    await page.locator('button[name=pause]:not([disabled])').click();
    await page.locator('[data-testid=experiment-status]', { hasText: 'paused' }).waitFor();
    expect(await status()).toBe('paused');
    await page.locator('button[name=resume]:not([disabled])').click();
    await page.locator('[data-testid=experiment-status]', { hasText: 'running' }).waitFor();
    expect(await status()).toBe('running');
    // Extend from the page: every variant runs the new seed, and only those runs are added.
    await page.locator('input[name=seeds]').fill('7');
    await page.locator('button[name=extend]').click();
    await eventually(async () => (await get(`/experiments/${id}`)).progress.total === 14 || undefined, 10_000, 'runs added');
    expect((await get(`/experiments/${id}`)).runs.filter((r: any) => r.seed === 7).map((r: any) => r.variant).sort()).toEqual(['cold', 'hot']);
    await page.locator('input[name=seeds]').fill('x');
    await page.locator('button[name=extend]').click();
    await page.locator('.controls .error', { hasText: 'whole numbers' }).waitFor();
    await page.locator('button[name=cancel]:not([disabled])').click();
    await page.locator('[data-testid=experiment-status]', { hasText: 'cancelled' }).waitFor();
    expect(await status()).toBe('cancelled');
    await eventually(async () => (await get(`/experiments/${id}`)).progress.running === 0, 30_000, 'runs stopped');
  }, 60_000);
});
