import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/** Free loopback ports and a throw-away data directory, chosen once and shared with workers. */
function freePorts(count: number): number[] {
  const script = `const net=require('net');const s=[];let n=${count};const out=[];
  const next=()=>{if(!n--){console.log(out.join(','));s.forEach(x=>x.close());return;}
  const v=net.createServer();v.listen(0,'127.0.0.1',()=>{out.push(v.address().port);s.push(v);next();});};next();`;
  return execFileSync(process.execPath, ['-e', script]).toString().trim().split(',').map(Number);
}

if (!process.env.KH_E2E_BFF_PORT) {
  const [bff, engine] = freePorts(2);
  process.env.KH_E2E_BFF_PORT = String(bff);
  process.env.KH_E2E_ENGINE_PORT = String(engine);
  process.env.KH_E2E_DATA_DIR = mkdtempSync(join(tmpdir(), 'keyhaven-e2e-'));
  process.env.KH_E2E_PASSWORD = 'e2e-demo-password';
}
const bffPort = process.env.KH_E2E_BFF_PORT;
const env = {
  ...(process.env as Record<string, string>),
  KEYHAVEN_PORT: bffPort as string,
  KEYHAVEN_ENGINE_PORT: process.env.KH_E2E_ENGINE_PORT as string,
  KEYHAVEN_DATA_DIR: process.env.KH_E2E_DATA_DIR as string,
  KEYHAVEN_DEMO_PASSWORD: process.env.KH_E2E_PASSWORD as string,
  KEYHAVEN_WEB_DIST: 'dist/web',
  KEYHAVEN_LOG_LEVEL: 'warn',
  // Paced batches stretch the 20,000-secret enablement over about 4 s, so that progress is observable.
  KEYHAVEN_JOB_BATCH_SIZE: '100',
  KEYHAVEN_JOB_PAUSE_MS: '20',
};

export default defineConfig({
  testDir: 'e2e',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${bffPort}`,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: [
    {
      command: 'node --enable-source-maps dist/engine/main.mjs',
      url: `http://127.0.0.1:${env.KEYHAVEN_ENGINE_PORT}/readyz`,
      env,
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: 'node --enable-source-maps dist/bff/main.mjs',
      url: `http://127.0.0.1:${bffPort}/healthz`,
      env,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
