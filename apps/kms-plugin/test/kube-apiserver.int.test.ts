import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope, decodeEncryptedObject, kmsPrefix } from '@keyhaven/engine';
import {
  apiKeyFor,
  freePort,
  spawnDemoEngine,
  tokenFor,
  type EngineProcess,
} from '../../engine/test/process.ts';
import { SKIP_KUBE, encryptionConfig, startKube, type Kube } from './kube.ts';
import {
  createRootKey,
  kmsClient,
  pluginConfig,
  spawnPlugin,
  stopPlugin,
  type PluginProcess,
  type PluginSettings,
} from './plugin.ts';

const PASSWORD = 'kube-apiserver-test-password';
const INSTANCE = 'kp-us-south';
const PREFIX = 'k8s:enc:kms:v2:keyhaven:';
let dir: string;
let engine: EngineProcess;
let admin: string;
let plugin: PluginProcess;
let settings: PluginSettings;
let kube: Kube;
/** Every secret written through the API server so far, with its value. */
const written = new Map<string, string>();

const kp = (path: string, method = 'GET') =>
  fetch(`${engine.url}/api/v2/keys${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, 'bluemix-instance': INSTANCE },
  });

async function createSecret(name: string): Promise<void> {
  const value = `value of ${name} ${'x'.repeat(name.length % 7)}`;
  const created = await kube.request('POST', '/api/v1/namespaces/default/secrets', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    data: { password: Buffer.from(value).toString('base64') },
  });
  expect(created.status, created.text).toBe(201);
  written.set(name, value);
}

async function readSecret(name: string): Promise<string> {
  const read = await kube.request('GET', `/api/v1/namespaces/default/secrets/${name}`);
  expect(read.status, read.text).toBe(200);
  const secret = read.body as { data: { password: string } };
  return Buffer.from(secret.data.password, 'base64').toString();
}

/** What etcd holds for a secret: the KMS v2 prefix, then an EncryptedObject. */
async function stored(name: string) {
  const key = `/registry/secrets/default/${name}`;
  const bytes = await kube.etcdGet(key);
  if (!bytes) throw new Error(`etcd holds nothing under ${key}`);
  const prefixed = bytes.subarray(0, PREFIX.length).toString() === PREFIX;
  return {
    key,
    bytes,
    prefixed,
    object: prefixed ? decodeEncryptedObject(bytes.subarray(PREFIX.length)) : undefined,
  };
}

/** The API server's KMS health check alone: it answers with the check's error when it fails. */
const kmsCheck = () => kube.request('GET', '/readyz/kms-providers');

/** Polls until the condition holds; the API server re-checks its plug-in every 3 to 20 s. */
async function eventually(what: string, condition: () => Promise<boolean>, seconds = 90) {
  for (let i = 0; i < seconds; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not happen within ${seconds} s`);
}

beforeAll(async () => {
  if (SKIP_KUBE) return;
  dir = mkdtempSync('/tmp/khk-');
  engine = await spawnDemoEngine(dir, PASSWORD);
  admin = await tokenFor(engine.url, 'admin', PASSWORD);
  const rootKeyId = await createRootKey(engine.url, admin, INSTANCE, 'kube-apiserver-key');
  settings = {
    engineUrl: engine.url,
    apiKey: await apiKeyFor(engine.url, 'admin', PASSWORD),
    instanceId: INSTANCE,
    rootKeyId,
    socketPath: join(dir, 'kms.sock'),
    healthzPort: await freePort(),
    extra: { server: '  CLUSTER_NAME: "kube-apiserver-it"\n' },
  };
  plugin = await spawnPlugin(dir, pluginConfig(settings));
  kube = await startKube(join(dir, 'kube'), encryptionConfig(settings.socketPath));
}, 600_000);

afterAll(async () => {
  if (SKIP_KUBE) return;
  await kube?.stop();
  await stopPlugin(plugin);
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SKIP_KUBE)('a real kube-apiserver keeps its secrets through the plug-in', () => {
  it('stores secrets in etcd under the KMS v2 prefix with the plug-in’s key_id, and reads them back', async () => {
    const status = await kmsClient(plugin.socketPath).status();
    for (let i = 0; i < 20; i++) await createSecret(`before-rotation-${i}`);
    for (const [name, value] of written) {
      const value_ = await stored(name);
      expect(value_.prefixed, `${name} is stored with the KMS v2 prefix`).toBe(true);
      expect(value_.object?.keyID).toBe(status.keyId);
      expect(value_.bytes.includes(Buffer.from(value))).toBe(false);
      expect(await readSecret(name)).toBe(value);
    }
    const verbose = await kube.request('GET', '/readyz?verbose');
    expect(verbose.text).toContain('[+]kms-providers ok');
  });

  it('is opened by Keyhaven’s own envelope code, the seed unwrapped through the plug-in', async () => {
    const client = kmsClient(plugin.socketPath);
    try {
      const { key, bytes, object } = await stored('before-rotation-3');
      const envelope = new Envelope();
      const plaintext = await envelope.open(key, bytes, {
        resolve: (keyId, encryptedDEKSource) =>
          client.decrypt({
            ciphertext: encryptedDEKSource,
            keyId,
            annotations: Object.fromEntries(
              Object.entries(object?.annotations ?? {}).map(([k, v]) => [k, Buffer.from(v)]),
            ),
          }),
      });
      // The API server stores Secrets as protobuf: its magic, then the object with our value.
      expect(plaintext.subarray(0, 4)).toEqual(Buffer.from('k8s\0'));
      expect(plaintext.includes(Buffer.from(written.get('before-rotation-3') ?? '-'))).toBe(true);
      expect(kmsPrefix('keyhaven')).toBe(PREFIX);
    } finally {
      client.close();
    }
  });

  it('writes under the new key version after a rotation in Keyhaven, and old values still read', async () => {
    const oldKeyId = (await stored('before-rotation-0')).object?.keyID;
    expect((await kp(`/${settings.rootKeyId}/actions/rotate`, 'POST')).status).toBe(204);
    let n = 0;
    await eventually('a write under the rotated key', async () => {
      await kmsCheck();
      const name = `after-rotation-${n++}`;
      await createSecret(name);
      const keyId = (await stored(name)).object?.keyID;
      return keyId !== undefined && keyId !== oldKeyId;
    });
    const newKeyId = (await stored(`after-rotation-${n - 1}`)).object?.keyID;
    expect(newKeyId).toBe((await kmsClient(plugin.socketPath).status()).keyId);
    expect((await stored('before-rotation-0')).object?.keyID).toBe(oldKeyId);
    for (const [name, value] of written) expect(await readSecret(name)).toBe(value);
  });

  it('fails the API server’s KMS health check with the plug-in’s reason while the key is disabled', async () => {
    expect((await kp(`/${settings.rootKeyId}/actions/disable`, 'POST')).status).toBe(204);
    await eventually('the KMS check failing', async () => (await kmsCheck()).status !== 200);
    const check = await kmsCheck();
    expect(check.text).toContain('got unexpected healthz status: root key disabled');
    const verbose = await kube.request('GET', '/readyz?verbose');
    expect(verbose.status).toBe(500);
    expect(verbose.text).toContain('[-]kms-providers failed');

    expect((await kp(`/${settings.rootKeyId}/actions/enable`, 'POST')).status).toBe(204);
    await eventually('the KMS check passing', async () => (await kmsCheck()).status === 200);
    await createSecret('after-enable');
    expect(await readSecret('after-enable')).toBe(written.get('after-enable'));
  });

  it('loses nothing when the plug-in is killed and started again, and the API server restarts', async () => {
    plugin.child.kill('SIGKILL');
    await plugin.exited;
    plugin = await spawnPlugin(dir, pluginConfig(settings));
    // A restarted API server has no seed cached: every read goes through the plug-in's Decrypt.
    await kube.restart();
    for (const [name, value] of written) expect(await readSecret(name)).toBe(value);
    await createSecret('after-restart');
    expect((await stored('after-restart')).prefixed).toBe(true);
  });
});
