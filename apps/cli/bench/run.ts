/**
 * `npm run bench -w apps/cli`: the wall time of `keyhaven ks cluster ls` (a fresh process each
 * time, median of 10) against a real engine, next to a bare `node -e 0` measured in the same run.
 * Target: within 150 ms of bare Node start (issue 26; 318 ms over before the http transport and compile cache).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { apiKeyFor, spawnDemoEngine } from '../../engine/test/process.ts';
import { BIN } from '../test/cli.ts';

const RUNS = 10;
const PASSWORD = 'cli-bench-password';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function timeRuns(args: string[], env: NodeJS.ProcessEnv): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed:\n${result.stderr}`);
  }
  return times;
}

const dir = mkdtempSync(join(tmpdir(), 'keyhaven-cli-bench-'));
const engine = await spawnDemoEngine(dir, PASSWORD);
try {
  const apikey = await apiKeyFor(engine.url, 'admin', PASSWORD);
  const env = {
    ...process.env,
    KEYHAVEN_CONFIG_DIR: join(dir, 'config'),
    KEYHAVEN_API_URL: engine.url,
    NO_COLOR: '1',
  };
  // Logging in also bundles the CLI if its bundle is missing or stale, outside the timed runs.
  const login = spawnSync(process.execPath, [BIN, 'login', '--apikey', apikey, '-q'], {
    env,
    encoding: 'utf8',
  });
  if (login.status !== 0) throw new Error(`login failed:\n${login.stderr}`);
  const bare = median(timeRuns(['-e', '0'], env));
  const cli = median(timeRuns([BIN, 'ks', 'cluster', 'ls'], env));
  const over = cli - bare;
  console.log(`keyhaven CLI start-up, median of ${RUNS} fresh processes each`);
  console.log(`  node -e 0 (baseline)          ${bare.toFixed(1)} ms`);
  console.log(`  keyhaven ks cluster ls        ${cli.toFixed(1)} ms`);
  console.log(
    `  over bare Node                ${over.toFixed(1)} ms (target: within 150 ms) ${over <= 150 ? 'MET' : 'MISSED'}`,
  );
} finally {
  engine.child.kill('SIGTERM');
  await engine.exited;
  rmSync(dir, { recursive: true, force: true });
}
