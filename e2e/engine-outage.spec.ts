import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, PASSWORD, test } from './fixtures.ts';
import {
  freePort,
  spawnBff,
  spawnEngine,
  type EngineProcess,
} from '../apps/engine/test/process.ts';

/**
 * The engine paused, then killed, under an open console: its own engine and BFF (the shared ones
 * must not be disturbed), serving the console build like npm start does.
 */
test('an engine outage is said plainly, the BFF stays up, and the console recovers by itself', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'keyhaven-outage-'));
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const engineEnv = {
    KEYHAVEN_DATA_DIR: dataDir,
    KEYHAVEN_DEMO_PASSWORD: PASSWORD,
    KEYHAVEN_DEMO_SECRETS: '200',
    KEYHAVEN_LOG_LEVEL: 'warn',
  };
  let engine: EngineProcess = await spawnEngine(engineEnv, port);
  const { bff, bffUrl } = await spawnBff(engine.url, dataDir, {
    KEYHAVEN_WEB_DIST: 'dist/web',
  });
  try {
    await page.goto(`${bffUrl}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.goto(`${bffUrl}/clusters/c-dev-us-east`);
    const status = page.getByRole('table', { name: 'Summary' }).getByRole('row', {
      name: /Master status/,
    });
    await expect(status).toContainText('Ready');

    // Paused: within seconds the Overview says its live status is cut and keeps the last one.
    process.kill(engine.child.pid ?? 0, 'SIGSTOP');
    await expect(status).toContainText('Live status is interrupted', { timeout: 15_000 });
    await expect(status).toContainText('Ready');
    await page.screenshot({ path: 'test-results/engine-paused-overview.png' });
    // Secrets answer with the reason instead of skeletons, and offer to try again.
    await page.getByRole('tab', { name: 'Secrets' }).click();
    await expect(page.getByText('Secrets could not be loaded')).toBeVisible({ timeout: 15_000 });
    await expect(
      page.getByText(/The Keyhaven engine is not answering/).filter({ visible: true }),
    ).toBeVisible();
    await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
    // A reload says what is wrong at once, not a spinner and not "log in".
    await page.reload();
    await expect(page.getByText('The console cannot check your session')).toBeVisible({
      timeout: 10_000,
    });
    await page.screenshot({ path: 'test-results/engine-paused-reload.png' });

    // Resumed: the page comes back by itself.
    process.kill(engine.child.pid ?? 0, 'SIGCONT');
    await expect(page.getByRole('heading', { name: 'dev-us-east' })).toBeVisible({
      timeout: 30_000,
    });

    // Killed: the BFF stays up and says so; a new engine on the same port brings it all back.
    engine.child.kill('SIGKILL');
    await engine.exited;
    await page.getByRole('tab', { name: 'Overview' }).click();
    await expect(status).toContainText('Live status is interrupted', { timeout: 15_000 });
    const health = await fetch(`${bffUrl}/healthz`);
    expect(health.status).toBe(200);
    const clusters = await page.request.get(`${bffUrl}/api/clusters`);
    expect(clusters.status()).toBe(503);
    expect((await clusters.json()).message).toMatch(
      /The Keyhaven engine is not answering \(since \d\d:\d\d:\d\d UTC: .+\)/,
    );
    engine = await spawnEngine(engineEnv, port);
    await expect(status).not.toContainText('Live status is interrupted', { timeout: 30_000 });
    await expect(status).toContainText('Ready');
  } finally {
    if (engine.child.exitCode === null && engine.child.signalCode === null)
      engine.child.kill('SIGCONT');
    bff.kill('SIGTERM');
    engine.child.kill('SIGTERM');
    await engine.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
