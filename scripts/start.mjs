#!/usr/bin/env node
// `npm start`: installs dependencies when missing, builds the console, starts the engine and the
// BFF on loopback, prints the URL and the demo login, and stops both on Ctrl-C.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSupervisor, prepare } from './supervisor.mjs';

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

prepare(root, env);
// `npm start -- --tls`: a local CA (data/tls) signs a certificate for localhost and 127.0.0.1; the
// engine and the console serve HTTPS with it, and trust it between them.
const tls = process.argv.includes('--tls');
let scheme = 'http';
let caFile;
if (tls) {
  const made = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/local-ca.ts', join(dataDir, 'tls')],
    { cwd: root, env, encoding: 'utf8' },
  );
  if (made.status !== 0) {
    console.error(`The local CA could not be made (is openssl installed?):\n${made.stderr}`);
    process.exit(1);
  }
  const files = JSON.parse(made.stdout);
  caFile = files.caFile;
  scheme = 'https';
  env.KEYHAVEN_TLS_CERT_FILE = files.certFile;
  env.KEYHAVEN_TLS_KEY_FILE = files.keyFile;
  env.KEYHAVEN_ENGINE_URL = `https://127.0.0.1:${enginePort}`;
  env.NODE_EXTRA_CA_CERTS = caFile;
}
const { service, waitFor, stopping } = createSupervisor({
  root,
  env,
  logDir: join(dataDir, 'logs'),
});

console.log(
  `> Starting the engine (SQLite + ${hsm ? 'PKCS#11 key adapter on the SoftHSM2 token' : 'software key adapter'}; the first start seeds demo data)`,
);
service('engine', 'dist/engine/main.mjs');
await waitFor(`${scheme}://127.0.0.1:${enginePort}/readyz`, 'The engine', caFile);
service('bff', 'dist/bff/main.mjs');
await waitFor(`${scheme}://127.0.0.1:${bffPort}/healthz`, 'The console server', caFile);
if (!stopping()) {
  console.log(`\n  Keyhaven console: ${scheme}://${tls ? 'localhost' : '127.0.0.1'}:${bffPort}/`);
  if (caFile)
    console.log(
      `  TLS: served with a certificate of the local CA ${caFile} (trust it in your browser)`,
    );
  if (env.KEYHAVEN_DEMO_PASSWORD) console.log(`  Demo login: admin / (KEYHAVEN_DEMO_PASSWORD)`);
  console.log('  Logs: ' + join(dataDir, 'logs') + '   Stop: Ctrl-C\n');
}
