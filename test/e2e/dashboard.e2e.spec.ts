import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, Page, chromium } from 'playwright-core';
import { REPO_ROOT, RunningService, startService } from '@swe-sim/testing';
import { SimulationStack, aCompletedSimulation, startSimulationStack } from '../support/simulation-stack';

/**
 * Issue 12: the web dashboard in a real browser (Debian's chromium, headless, through
 * playwright-core) against the services as processes. Screenshots go to test-output/dashboard/.
 */
describe('web dashboard', () => {
  const shots = join(REPO_ROOT, 'test-output/dashboard');
  let stack: SimulationStack;
  let browser: Browser;
  let page: Page;
  let simulationId: string;
  const api = async (path: string) => (await (await fetch(`${stack.pm.url}${path}`)).json()) as any;
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    [stack, browser] = await Promise.all([startSimulationStack('simulation-complete.json'), chromium.launch({ executablePath: '/usr/bin/chromium', headless: true })]);
    simulationId = await aCompletedSimulation(stack);
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    page.on('pageerror', (err) => console.error('page error', err));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists the projects and the finished simulation, with its progress', async () => {
    await page.goto(`${stack.pm.url}/`);
    await page.locator('[data-testid=projects] tr', { hasText: 'text-utils' }).first().waitFor();
    const row = page.locator(`[data-simulation="${simulationId}"]`);
    await row.locator('text=completed').waitFor();
    await row.locator('text=2/2 features').waitFor();
    await shot('lists');
  });

  it("shows the simulation's teams with each member's reason, and draws the burndown", async () => {
    await page.goto(`${stack.pm.url}/#/simulations/${simulationId}`);
    const formed = (await stack.events(simulationId)).filter((e) => e.type === 'TeamFormed');
    for (const team of formed) {
      const card = page.locator(`[data-team="${team.data.teamId}"]`);
      for (const m of team.data.members) await card.locator(`[data-member="${m.personaId}"] .reason`, { hasText: m.reason.slice(0, 40) }).waitFor();
    }
    // The whole history has arrived once both features are in the board's done column; the chart
    // is drawn from it (counted before that, a loaded machine showed a half-drawn line).
    await page.locator('[data-testid=board] h3', { hasText: 'done (2)' }).waitFor();
    await page.locator('.at-position[data-at]:not([data-at=""])').waitFor();
    const canvas = page.locator('[data-testid=burndown] canvas');
    await canvas.waitFor();
    // The first sprint's line is drawn in the palette's first colour, #d9480f: count its pixels.
    // (This runs in the page: the test's own tsconfig has no DOM types.)
    const countLinePixels = () =>
      canvas.evaluate((c: any) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 0xd9) < 12 && Math.abs(data[i + 1] - 0x48) < 12 && Math.abs(data[i + 2] - 0x0f) < 12 && data[i + 3] > 200) n++;
        return n;
      });
    // uPlot draws on the next animation frame: give a loaded machine a few seconds.
    let drawn = 0;
    for (const deadline = Date.now() + 10_000; drawn <= 150 && Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) drawn = await countLinePixels();
    expect(drawn).toBeGreaterThan(150);
    await shot('simulation');
  });

  /** The files the page shows once it has read the workspace at the scrubbed position. */
  const filesShown = async () => {
    const position = Number(await page.locator('[data-testid=position]').innerText());
    await page.locator(`.at-position[data-at="${position}"]`).waitFor();
    const files = await page.locator('[data-testid=files] li').evaluateAll((lis) => lis.map((li) => ({ path: li.getAttribute('data-path'), hash: li.getAttribute('data-hash') })));
    return { position, files };
  };

  it('scrubbing the timeline changes the files shown, and they are the workspace at that position', async () => {
    await page.goto(`${stack.pm.url}/#/simulations/${simulationId}`);
    const scrub = page.locator('input[name=scrub]');
    await scrub.waitFor();
    const max = Number(await scrub.getAttribute('max'));
    await scrub.fill(String(Math.floor(max * 0.4)));
    const early = await filesShown();
    expect(page.url()).toContain(`?at=${early.position}`);
    await scrub.fill(String(max));
    const late = await filesShown();
    expect(late.position).toBeGreaterThan(early.position);
    expect(late.files).not.toEqual(early.files);
    for (const shown of [early, late]) {
      const workspace = await api(`/simulations/${simulationId}/workspace?at=${shown.position}&content=false`);
      expect(shown.files).toEqual(workspace.files.map((f: any) => ({ path: f.path, hash: f.hash })));
    }
    // The position is in the link: opening it shows the same files.
    await page.goto(`${stack.pm.url}/#/simulations/${simulationId}?at=${early.position}`);
    expect(await filesShown()).toEqual(early);
    await page.locator('[data-testid=files] li').first().click();
    await page.locator('[data-testid=file-content]').waitFor();
    await shot('timeline');
  });

  it('a replay started from the page shows its verdict, and a fork started there appears', async () => {
    await page.goto(`${stack.pm.url}/#/simulations/${simulationId}`);
    await page.locator('button[name=replay]:not([disabled])').click();
    await page.locator('[data-testid=replay-result]', { hasText: 'Identical' }).waitFor({ timeout: 60_000 });
    await shot('replay');

    const scrub = page.locator('input[name=scrub]');
    await scrub.fill(String(Math.floor(Number(await scrub.getAttribute('max')) / 2)));
    const at = Number(await page.locator('[data-testid=position]').innerText());
    await page.locator('button[name=fork]', { hasText: `Fork at position ${at}` }).click();
    await page.waitForURL((url) => /#\/simulations\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.includes(simulationId), { timeout: 20_000 });
    const forkId = page.url().split('/').pop()!;
    expect(await api(`/simulations/${forkId}`)).toMatchObject({ forkOf: { simulationId, atPosition: at } });
    await page.locator('text=fork of').first().waitFor();
    await page.goto(`${stack.pm.url}/#/`);
    await page.locator(`[data-simulation="${forkId}"]`, { hasText: `fork of ${simulationId.slice(0, 8)} at ${at}` }).waitFor();
  }, 90_000);

  it('asks for a key only when the API has keys, and uses the one entered', async () => {
    // A second instance with a bootstrap key: from its start the database has a key, so the API is closed.
    const key = `dash-${process.pid}-${Date.now()}`;
    let keyed: RunningService | undefined;
    try {
      keyed = await startService('project-management', { ...stack.env, SWE_SIM_API_KEY: key });
      const fresh = await browser.newPage();
      await fresh.goto(`${keyed.url}/`);
      const prompt = fresh.locator('input[name=api-key]');
      await prompt.waitFor();
      await prompt.fill('wrong');
      await prompt.press('Enter');
      await fresh.locator('text=the one entered was refused').waitFor();
      await fresh.locator('input[name=api-key]').fill(key);
      await fresh.locator('input[name=api-key]').press('Enter');
      await fresh.locator(`[data-simulation="${simulationId}"]`).waitFor();
      expect(await fresh.locator('input[name=api-key]').count()).toBe(0);
      expect(await fresh.evaluate(() => (globalThis as any).sessionStorage.getItem('swe-sim.apiKey'))).toBe(key);
      await fresh.close();
    } finally {
      await keyed?.kill();
    }
  });
});
