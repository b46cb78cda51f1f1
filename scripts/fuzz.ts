/**
 * Fuzzes both APIs with Schemathesis (an independent tool, from PyPI, pinned, in .venv): the
 * engine and the BFF on a fresh demo, each as admin and as viewer, with the checks for server
 * errors, response-schema conformance and status-code conformance. Exits non-zero on any failure.
 *   node --import tsx scripts/fuzz.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, spawnBff, spawnEngine, tokenFor } from '../apps/engine/test/process.ts';

const SCHEMATHESIS = '4.32.5';
const root = resolve(import.meta.dirname, '..');
const venv = join(root, '.venv');
const st = join(venv, 'bin', 'st');
const PASSWORD = 'fuzz-demo-password';

function ensureSchemathesis() {
  const version = existsSync(st) ? spawnSync(st, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (version.includes(SCHEMATHESIS)) return;
  console.log(`Installing schemathesis ${SCHEMATHESIS} into .venv (PyPI)`);
  const steps: [string, string[]][] = [
    ['python3', ['-m', 'venv', venv]],
    [join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS}`]],
  ];
  for (const [command, args] of steps) {
    const done = spawnSync(command, args, { stdio: 'inherit' });
    if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
  }
}

/** A session cookie and its CSRF token from the BFF. */
async function bffSession(bffUrl: string, username: string) {
  const res = await fetch(`${bffUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login as ${username} answered ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return [`Cookie: ${cookie}`, `x-csrf-token: ${csrfToken}`];
}

interface Target {
  name: string;
  schema: string;
  base: string;
  headers: string[];
  /**
   * Operations left out: those that would end the run's own session (logout, token revocation),
   * and the status streams, which never end, so each case would wait out the request timeout
   * (the attack suite covers them, HEAD included).
   */
  exclude: string[];
}

function fuzz(target: Target): boolean {
  const args = [
    'run',
    target.schema,
    '--url',
    target.base,
    '--checks',
    'not_a_server_error,response_schema_conformance,status_code_conformance',
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    '25',
    '--seed',
    '20261130',
    '--generation-database',
    'none',
    '--workers',
    '1',
    '--no-color',
    ...target.headers.flatMap((h) => ['-H', h]),
    ...target.exclude.flatMap((id) => ['--exclude-operation-id', id]),
  ];
  console.log(`\n--- Schemathesis: ${target.name}`);
  const run = spawnSync(st, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const out = run.stdout + run.stderr;
  if (run.status !== 0) {
    console.log(out);
    return false;
  }
  // One line of figures and the warnings; Schemathesis's pytest-style footer line would read as a
  // test summary of its own to whatever reads this log.
  const cases = /Test cases:\s*\n\s*(.+)/.exec(out)?.[1] ?? 'no case count printed';
  const tested = /Tested:\s*(\d+)/.exec(out)?.[1] ?? '?';
  console.log(`${tested} operations, test cases: ${cases}`);
  for (const line of out.split('\n')) if (line.includes('⚠️')) console.log(line.trim());
  return true;
}

ensureSchemathesis();
const dir = mkdtempSync(join(tmpdir(), 'keyhaven-fuzz-'));
const engine = await spawnEngine(
  {
    KEYHAVEN_DATA_DIR: join(dir, 'data'),
    KEYHAVEN_DEMO_PASSWORD: PASSWORD,
    KEYHAVEN_DEMO_SECRETS: '40',
    KEYHAVEN_LOG_LEVEL: 'error',
  },
  await freePort(),
);
const { bff, bffUrl } = await spawnBff(engine.url, join(dir, 'data'), {
  KEYHAVEN_LOG_LEVEL: 'error',
});
let passed = false;
try {
  const targets: Target[] = [];
  for (const user of ['admin', 'viewer']) {
    targets.push({
      name: `engine as ${user}`,
      schema: `${engine.url}/openapi.json`,
      base: engine.url,
      headers: [`Authorization: Bearer ${await tokenFor(engine.url, user, PASSWORD)}`],
      exclude: ['revokeToken', 'watchCluster', 'watchClusters'],
    });
    targets.push({
      name: `console API as ${user}`,
      schema: `${bffUrl}/api/openapi.json`,
      base: bffUrl,
      headers: await bffSession(bffUrl, user),
      exclude: ['logout', 'streamClusterStatus', 'streamClustersStatus'],
    });
  }
  const results = targets.map((t) => [t.name, fuzz(t)] as const);
  for (const [name, ok] of results) console.log(`${ok ? 'passed' : 'FAILED'}: ${name}`);
  passed = results.every(([, ok]) => ok);
} finally {
  bff.kill('SIGTERM');
  engine.child.kill('SIGTERM');
  await engine.exited;
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = passed ? 0 : 1;
