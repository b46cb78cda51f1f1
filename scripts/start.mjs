#!/usr/bin/env node
// `npm start`: installs dependencies when missing, builds the console, starts the engine and the
// BFF on loopback, prints the URL and the demo login, and stops both on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(import.meta.dirname, '..');
const env = {
  ...process.env,
  IBM_TELEMETRY_DISABLED: 'true',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
};
const bffPort = Number(env.KEYHAVEN_PORT ?? 8080);
const enginePort = Number(env.KEYHAVEN_ENGINE_PORT ?? 8081);
// `npm start -- --hsm`: root keys in the SoftHSM2 token made by `npm run hsm:init` (data/hsm), with
// their own data directory so that software-held demo keys and HSM-held ones never mix.
const hsm = process.argv.includes('--hsm');
if (hsm) {
  const hsmDir = resolve(root, 'data/hsm');
  if (!existsSync(join(hsmDir, 'softhsm2.conf'))) {
    console.error('No SoftHSM2 token yet: run `npm run hsm:init` first.');
    process.exit(1);
  }
  env.SOFTHSM2_CONF = join(hsmDir, 'softhsm2.conf');
  env.KEYHAVEN_KEY_ADAPTER = 'pkcs11';
  env.KEYHAVEN_PKCS11_TOKEN_LABEL ??= 'keyhaven';
  env.KEYHAVEN_PKCS11_PIN_FILE ??= join(hsmDir, 'user-pin');
  env.KEYHAVEN_DATA_DIR ??= join(root, 'data/hsm-demo');
}
const dataDir = resolve(root, env.KEYHAVEN_DATA_DIR ?? 'data');
env.KEYHAVEN_DATA_DIR = dataDir;
env.KEYHAVEN_PORT = String(bffPort);
env.KEYHAVEN_ENGINE_PORT = String(enginePort);
env.KEYHAVEN_WEB_DIST ??= join(root, 'dist/web');

function step(title, command, args) {
  console.log(`> ${title}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${title} failed.`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  // Native addons (better-sqlite3, pkcs11js) compile here instead of fetching prebuilt binaries.
  env.npm_config_build_from_source = 'true';
  step('Installing dependencies (npm ci)', 'npm', ['ci', '--no-audit', '--no-fund']);
  delete env.npm_config_build_from_source;
}
step('Building the console', process.execPath, [
  join(root, 'node_modules/vite/bin/vite.js'),
  'build',
  '--logLevel',
  'warn',
]);

mkdirSync(join(dataDir, 'logs'), { recursive: true });
const children = new Set();
let stopping = false;

/** Starts a service; JSON log lines go to data/logs/<name>.log, anything else to the terminal. */
function service(name, entry) {
  const log = createWriteStream(join(dataDir, 'logs', `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.startsWith('{')) {
        log.write(line + '\n');
        if (/"level":(40|50|60)/.test(line)) console.error(`[${name}] ${line}`);
      } else if (line.trim()) console.log(line);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(child);
    log.end();
    if (!stopping) {
      console.error(
        `The ${name} stopped unexpectedly (${signal ?? `exit code ${code}`}); see ${join(dataDir, 'logs', `${name}.log`)}.`,
      );
      stop(1);
    }
  });
  return child;
}

async function waitFor(url, what) {
  for (let i = 0; i < 600; i++) {
    if (stopping) return;
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`${what} did not become ready at ${url}.`);
  stop(1);
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  const force = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, 5000);
  const done = () => {
    if (children.size === 0) {
      clearTimeout(force);
      process.exit(code);
    }
  };
  for (const child of children) child.on('exit', done);
  done();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

console.log(
  `> Starting the engine (SQLite + ${hsm ? 'PKCS#11 key adapter on the SoftHSM2 token' : 'software key adapter'}; the first start seeds demo data)`,
);
service('engine', 'apps/engine/src/main.ts');
await waitFor(`http://127.0.0.1:${enginePort}/readyz`, 'The engine');
service('bff', 'apps/bff/src/main.ts');
await waitFor(`http://127.0.0.1:${bffPort}/healthz`, 'The console server');
if (!stopping) {
  console.log(`\n  Keyhaven console: http://127.0.0.1:${bffPort}/`);
  if (env.KEYHAVEN_DEMO_PASSWORD) console.log(`  Demo login: admin / (KEYHAVEN_DEMO_PASSWORD)`);
  console.log('  Logs: ' + join(dataDir, 'logs') + '   Stop: Ctrl-C\n');
}
