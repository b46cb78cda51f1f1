/**
 * Console benchmarks, printed as figures measured in one run on this machine:
 *   npm run bench -w apps/web
 * 1. Builds the console and prints the gzipped size of the JS and CSS that the login page loads,
 *    and of what the cluster Overview adds (target: first page under 200 KB together).
 * 2. The delay between an engine status change and Chromium showing it in the Overview's Master
 *    status row, p95 over 20 changes (target under 300 ms).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { enableKmsOverHttp, spawnConsole, tokenFor } from '../../engine/test/process.ts';

const root = resolve(import.meta.dirname, '../../..');
const dist = join(root, 'dist/web');
const PASSWORD = 'web-bench-password';
const CLUSTER = 'c-dev-us-east';
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

execFileSync(
  process.execPath,
  [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, IBM_TELEMETRY_DISABLED: 'true' },
  },
);

const dir = mkdtempSync(join(tmpdir(), 'kh-web-bench-'));
const stops: (() => void)[] = [];
try {
  const {
    engine,
    bff,
    bffUrl: base,
  } = await spawnConsole(dir, PASSWORD, {
    KEYHAVEN_WEB_DIST: dist,
  });
  stops.push(
    () => engine.child.kill('SIGTERM'),
    () => bff.kill('SIGTERM'),
  );

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  stops.push(() => void browser.close());
  const page = await browser.newPage({ baseURL: base });
  const loaded = new Set<string>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/assets/') && /\.(js|css)$/.test(url.pathname))
      loaded.add(url.pathname);
  });
  const sizeOf = (paths: Iterable<string>) => {
    let js = 0;
    let css = 0;
    for (const path of paths) {
      const gz = gzipSync(readFileSync(join(dist, path))).length;
      if (path.endsWith('.css')) css += gz;
      else js += gz;
    }
    return { js, css };
  };

  await page.goto('/login');
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await page.waitForLoadState('networkidle');
  const loginAssets = new Set(loaded);
  const login = sizeOf(loginAssets);
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
  await page.goto(`/clusters/${CLUSTER}`);
  const statusRow = page
    .getByRole('table', { name: 'Summary' })
    .getByRole('row', { name: /Master status/ });
  await statusRow.getByText('Ready').waitFor();
  await page.waitForLoadState('networkidle');
  const overview = sizeOf([...loaded].filter((p) => !loginAssets.has(p)));
  console.log('Console assets, gzipped (what the browser requested)');
  console.log(
    `  login page:            JS ${kb(login.js)} + CSS ${kb(login.css)} = ${kb(login.js + login.css)} in ${loginAssets.size} files (target < 200 KB)`,
  );
  console.log(
    `  cluster Overview adds: JS ${kb(overview.js)} + CSS ${kb(overview.css)} = ${kb(overview.js + overview.css)}`,
  );

  // Enable KMS so that disabling and enabling the root key flips the Master status.
  const token = await tokenFor(engine.url, 'admin', PASSWORD);
  const auth = { authorization: `Bearer ${token}` };
  const crk = await enableKmsOverHttp(engine.url, token, CLUSTER, 'cluster-root-key-1');
  await statusRow.getByText('Ready').waitFor();
  await page.waitForTimeout(1000);

  // Record, in the page, when the status row's text changes.
  await page.evaluate(() => {
    const row = [...document.querySelectorAll('[role="row"], tr')].find((tr) =>
      tr.textContent?.includes('Master status'),
    );
    const w = window as unknown as { statusChanges: { at: number; text: string }[] };
    w.statusChanges = [];
    if (!row) throw new Error('no Master status row');
    new MutationObserver(() => {
      w.statusChanges.push({ at: Date.now(), text: row.textContent ?? '' });
    }).observe(row, { subtree: true, childList: true, characterData: true });
  });
  const delays: number[] = [];
  for (let change = 0; change < 20; change++) {
    const disable = change % 2 === 0;
    const seen = await page.evaluate(
      () => (window as unknown as { statusChanges: unknown[] }).statusChanges.length,
    );
    const start = Date.now();
    await fetch(`${engine.url}/api/v2/keys/${crk}/actions/${disable ? 'disable' : 'enable'}`, {
      method: 'POST',
      headers: { ...auth, 'bluemix-instance': 'kp-us-south' },
    });
    const shown = await page.waitForFunction(
      ({ seen, disable }) => {
        const changes = (window as unknown as { statusChanges: { at: number; text: string }[] })
          .statusChanges;
        return changes
          .slice(seen)
          .find((c) => (disable ? c.text.includes('is disabled') : c.text.includes('Ready')))?.at;
      },
      { seen, disable },
      { polling: 'raf', timeout: 10_000 },
    );
    delays.push(Number(await shown.jsonValue()) - start);
    await page.waitForTimeout(200);
  }
  delays.sort((a, b) => a - b);
  console.log('Engine status change to the Master status row in Chromium, 20 changes');
  console.log(
    `  p50 ${percentile(delays, 0.5)} ms, p95 ${percentile(delays, 0.95)} ms (target < 300 ms)`,
  );
} finally {
  for (const stop of stops.reverse()) stop();
  rmSync(dir, { recursive: true, force: true });
}
