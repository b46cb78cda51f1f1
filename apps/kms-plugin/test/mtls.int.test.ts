import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, KmsPluginSetup } from '@keyhaven/contracts';
import {
  freePort,
  spawnEngine,
  tlsRequest,
  type EngineProcess,
} from '../../engine/test/process.ts';
import { issue, localCa, type Issued, type LocalCa } from '../../../scripts/local-ca.ts';
import { SKIP_KUBE, identityConfig, serviceAccountToken, startKube, type Kube } from './kube.ts';
import { kmsClient, localSetup, spawnPlugin, stopPlugin, type PluginProcess } from './plugin.ts';

/**
 * Issue 26: the engine over HTTPS, asking KMS plug-ins for a client certificate (mTLS beside the
 * API key), and a real plug-in of a connected cluster against it; a plug-in that does not trust
 * the engine's certificate, and one without a client certificate, are refused with clear errors.
 */
const PASSWORD = 'mtls-test-password';
const INSTANCE = 'kp-us-south';
let dir: string;
let ca: LocalCa;
let server: Issued;
let client: Issued;
let intruder: Issued;
let otherCa: LocalCa;
let engine: EngineProcess;
let kube: Kube;
let admin: string;
let setup: KmsPluginSetup;
const plugins: PluginProcess[] = [];

const caPem = () => readFileSync(ca.caFile);

/** A JSON call to the HTTPS engine as the test (trusting its CA). */
async function call<T>(
  method: string,
  path: string,
  { token = admin, body, cert }: { token?: string; body?: unknown; cert?: Issued } = {},
) {
  const answer = await tlsRequest(`${engine.url}${path}`, {
    ca: caPem(),
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      'content-type': 'application/json',
      'bluemix-instance': INSTANCE,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    ...(cert && { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile) }),
  });
  return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : {}) as T };
}

async function tokenOf(grant: Record<string, string>) {
  const answer = await tlsRequest(`${engine.url}/identity/token`, {
    ca: caPem(),
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(grant).toString(),
  });
  return (JSON.parse(answer.text) as { access_token: string }).access_token;
}

/** The setup's plug-in config, run here: its socket and port, the TLS files given. */
function pluginConfigWith(files: { ca: string; cert?: Issued }, socket: string, port: number) {
  return localSetup(setup.pluginConfig, socket, port)
    .replaceAll('/etc/kubernetes/kms/keyhaven-ca.crt', files.ca)
    .replace(
      / {2}KP_CLIENT_CERT_FILE: .*\n {2}KP_CLIENT_KEY_FILE: .*\n/,
      files.cert
        ? `  KP_CLIENT_CERT_FILE: "${files.cert.certFile}"\n  KP_CLIENT_KEY_FILE: "${files.cert.keyFile}"\n`
        : '',
    );
}

async function startPlugin(files: { ca: string; cert?: Issued }) {
  const socket = join(dir, `kms-${plugins.length}.sock`);
  const plugin = await spawnPlugin(dir, pluginConfigWith(files, socket, await freePort()));
  plugins.push(plugin);
  return plugin;
}

/** Waits until the plug-in's log says what the test expects (its watch retries with backoff). */
async function logSays(plugin: PluginProcess, pattern: RegExp) {
  for (let i = 0; i < 100 && !pattern.test(plugin.output()); i++)
    await new Promise((r) => setTimeout(r, 100));
  return plugin.output();
}

async function statusOf(plugin: PluginProcess) {
  const grpc = kmsClient(plugin.socketPath);
  try {
    return await grpc.status();
  } finally {
    grpc.close();
  }
}

beforeAll(async () => {
  if (SKIP_KUBE) return;
  dir = mkdtempSync('/tmp/khm-');
  ca = localCa(join(dir, 'tls'));
  server = issue(ca, 'engine', 'server');
  client = issue(ca, 'kms-plugin', 'client');
  otherCa = localCa(join(dir, 'other'));
  intruder = issue(otherCa, 'intruder', 'client');
  const port = await freePort();
  engine = await spawnEngine(
    {
      KEYHAVEN_DATA_DIR: join(dir, 'engine'),
      KEYHAVEN_DEMO_PASSWORD: PASSWORD,
      KEYHAVEN_DEMO_SECRETS: '10',
      KEYHAVEN_LOG_LEVEL: 'warn',
      KEYHAVEN_TLS_CERT_FILE: server.certFile,
      KEYHAVEN_TLS_KEY_FILE: server.keyFile,
      KEYHAVEN_TLS_CLIENT_CA_FILE: ca.caFile,
    },
    port,
    'readyz',
    caPem(),
  );
  admin = await tokenOf({ grant_type: 'password', username: 'admin', password: PASSWORD });
  kube = await startKube(join(dir, 'kube'), identityConfig);
  const token = await serviceAccountToken(kube, 'keyhaven', ['list', 'get', 'update']);
  const connected = await call<Cluster>('POST', '/v2/clusters', {
    body: { name: 'mtls-cluster', server: kube.server, caCertificate: kube.caCertificate(), token },
  });
  expect(connected.status, JSON.stringify(connected.body)).toBe(201);
  const keys = await call<{ resources: { id: string; name: string }[] }>('GET', '/api/v2/keys');
  const crk = keys.body.resources.find((k) => k.name === 'cluster-root-key-1')?.id;
  const enabled = await call('POST', '/v2/enableKMS', {
    body: { cluster: connected.body.id, instance_id: INSTANCE, crk_id: crk },
  });
  expect(enabled.status, JSON.stringify(enabled.body)).toBe(202);
  const made = await call<KmsPluginSetup>(
    'POST',
    `/v2/clusters/${connected.body.id}/kms-plugin-setup`,
  );
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  setup = made.body;
}, 600_000);

afterAll(async () => {
  if (SKIP_KUBE) return;
  for (const plugin of plugins) await stopPlugin(plugin);
  await kube?.stop();
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SKIP_KUBE)('the engine over HTTPS with client certificates for plug-ins', () => {
  it('gives a setup that names the CA and the client certificate files', () => {
    expect(setup.pluginConfig).toContain(`URL: "${engine.url}"`);
    expect(setup.pluginConfig).toContain('KP_CA_FILE: "/etc/kubernetes/kms/keyhaven-ca.crt"');
    expect(setup.pluginConfig).toContain(
      'KP_CLIENT_CERT_FILE: "/etc/kubernetes/kms/kms-plugin.crt"',
    );
    expect(setup.pluginConfig).toContain(
      'TOKEN_URL_CA_FILE: "/etc/kubernetes/kms/keyhaven-ca.crt"',
    );
  });

  it('serves a plug-in that trusts its CA and presents its client certificate', async () => {
    const plugin = await startPlugin({ ca: ca.caFile, cert: client });
    const grpc = kmsClient(plugin.socketPath);
    try {
      let status = await grpc.status();
      for (let i = 0; i < 50 && status.healthz !== 'ok'; i++) {
        await new Promise((r) => setTimeout(r, 200));
        status = await grpc.status();
      }
      expect(status.healthz).toBe('ok');
      const seed = Buffer.alloc(32, 7);
      const sealed = await grpc.encrypt(seed);
      expect(await grpc.decrypt(sealed)).toEqual(seed);
    } finally {
      grpc.close();
    }
  });

  it('refuses the plug-in identity without a client certificate, or with one of another CA', async () => {
    const apikey = /API_KEY: "([^"]+)"/.exec(setup.pluginConfig)?.[1] ?? '';
    const token = await tokenOf({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey });
    const bare = await call<{ code: string; message: string }>('GET', '/v2/clusters', { token });
    expect(bare.status).toBe(401);
    expect(bare.body).toMatchObject({ code: 'CLIENT_CERTIFICATE_REQUIRED' });
    expect(bare.body.message).toContain('it presented no client certificate');
    const foreign = await call<{ message: string }>('GET', '/v2/clusters', {
      token,
      cert: intruder,
    });
    expect(foreign.status).toBe(401);
    expect(foreign.body.message).toMatch(/its client certificate was refused/);
    const good = await call<Cluster[]>('GET', '/v2/clusters', { token, cert: client });
    expect(good.status).toBe(200);
    // People need none: the administrator's own calls above went without one.
    expect((await call('GET', '/v2/clusters')).status).toBe(200);
    // A plug-in without its certificate says why in Status.
    const plugin = await startPlugin({ ca: ca.caFile });
    const status = await statusOf(plugin);
    expect(status.healthz).not.toBe('ok');
    expect(await logSays(plugin, /presented no client certificate/)).toMatch(
      /answered 401 to the cluster watch: A KMS plug-in must present a client certificate/,
    );
  });

  it('has a plug-in that does not trust the engine’s certificate say so', async () => {
    const plugin = await startPlugin({ ca: otherCa.caFile, cert: client });
    const status = await statusOf(plugin);
    expect(status.healthz).not.toBe('ok');
    expect(await logSays(plugin, /does not trust/)).toMatch(
      /presented a certificate this plug-in does not trust \(\w+\): check KP_CA_FILE/,
    );
  });
});
