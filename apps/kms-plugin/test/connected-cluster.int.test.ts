import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, KmsPluginSetup, RawSecret, Secret, SecretMeta } from '@keyhaven/contracts';
import { decodeEncryptedObject } from '@keyhaven/engine';
import {
  type HttpMethod,
  freePort,
  spawnDemoEngine,
  tokenFor,
  type EngineProcess,
} from '../../engine/test/process.ts';
import {
  SKIP_KUBE,
  identityConfig,
  kubeOk as kubeOkOn,
  serviceAccountToken,
  startKube,
  type Kube,
} from './kube.ts';
import {
  createRootKey,
  localSetup,
  spawnPlugin,
  stopPlugin,
  type PluginProcess,
} from './plugin.ts';
import { INSTANCE, connectedCluster, eventually, prefixOf } from './connected.ts';

/**
 * Issue 16: a real cluster connected to Keyhaven. 1,000 Secrets stored plain, then Enable with
 * key A, Update to B (the engine SIGKILLed mid-migration), rotation of B, disable and enable:
 * every value in etcd follows, and none is lost or changed.
 */
const PASSWORD = 'connected-cluster-test-password';
const PREFIX = 'k8s:enc:kms:v2:keyhaven:';
const SECRETS = 1000;
const NAMESPACES = ['default', 'team-a'];
let dir: string;
let enginePort: number;
let engine: EngineProcess;
let admin: string;
let plugin: PluginProcess;
let kube: Kube;
let clusterId: string;
let keyA: string;
let keyB: string;
/** Each Secret's etcd key with the value written. */
const written = new Map<string, string>();

const engineEnv = {
  // Slow enough to stop the engine in the middle of a migration, and to show the limit holds.
  KEYHAVEN_MIGRATION_RATE: '150',
  // It rotates root key B twice within a few minutes.
  KEYHAVEN_MANUAL_ROTATION_EVERY_SECONDS: '0',
  KEYHAVEN_MIGRATION_PAGE_SIZE: '100',
};

const startEngine = async () => {
  engine = await spawnDemoEngine(dir, PASSWORD, engineEnv, enginePort);
  admin = await tokenFor(engine.url, 'admin', PASSWORD);
};

const { api, cluster, enableWith, ready } = connectedCluster({
  url: () => engine.url,
  token: () => admin,
  clusterId: () => clusterId,
});

const kubeOk = (method: HttpMethod, path: string, body?: unknown) =>
  kubeOkOn(kube, method, path, body);

const serviceAccount = (name: string, verbs: string[]) => serviceAccountToken(kube, name, verbs);

const connect = (overrides: Record<string, unknown>) =>
  api<{ code: string; message: string } & Cluster>('POST', '/v2/clusters', {
    name: 'real-cluster',
    server: kube.server,
    caCertificate: kube.caCertificate(),
    ...overrides,
  });

/** Every Secret's stored bytes: which keyID (or none: plain) each carries. */
async function storedKeyIds(): Promise<Map<string, string>> {
  const stored = await kube.etcdRange('/registry/secrets/');
  const ids = new Map<string, string>();
  for (const key of written.keys()) {
    const bytes = stored.get(key);
    if (!bytes) throw new Error(`etcd lost ${key}`);
    const prefixed = bytes.subarray(0, PREFIX.length).toString() === PREFIX;
    ids.set(key, prefixed ? decodeEncryptedObject(bytes.subarray(PREFIX.length)).keyID : 'plain');
    if (bytes.includes(Buffer.from(written.get(key) ?? '-')) && prefixed)
      throw new Error(`${key} holds its value in the clear`);
  }
  return ids;
}

/** Every Secret reads back through the API server with the value written. */
async function expectValuesIntact(): Promise<void> {
  for (const namespace of NAMESPACES) {
    const list = await kubeOk('GET', `/api/v1/namespaces/${namespace}/secrets`);
    for (const item of list.items as { metadata: { name: string }; data: { v: string } }[]) {
      const key = `/registry/secrets/${namespace}/${item.metadata.name}`;
      expect(Buffer.from(item.data.v, 'base64').toString(), key).toBe(written.get(key));
    }
  }
}

/** The plug-in's API key serves this cluster's plug-in and nothing else. */
async function expectPluginKeyScoped(config: string): Promise<void> {
  const apikey = /API_KEY: "([^"]+)"/.exec(config)?.[1] ?? '';
  const token = await fetch(`${engine.url}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }),
  });
  const bearer = {
    authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}`,
  };
  const clusters = (await (
    await fetch(`${engine.url}/v2/clusters`, { headers: bearer })
  ).json()) as Cluster[];
  expect(clusters.map((c) => c.id)).toEqual([clusterId]);
  const enable = await fetch(`${engine.url}/v2/enableKMS`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ cluster: clusterId, instance_id: INSTANCE, crk_id: keyB }),
  });
  expect(enable.status).toBe(403);
  // Reader of the instance: it wraps and unwraps, but cannot disable the key.
  const disable = await fetch(`${engine.url}/api/v2/keys/${keyA}/actions/disable`, {
    method: 'POST',
    headers: { ...bearer, 'bluemix-instance': INSTANCE },
  });
  expect(disable.status).toBe(403);
}

/** The console's view: names from the API server, stored bytes from etcd, values on request. */
async function expectVerifiedFromEtcd(keyIdPrefix: string): Promise<void> {
  const page = await api<{ items: SecretMeta[]; total: number }>(
    'GET',
    `/v2/clusters/${clusterId}/secrets?search=app-secret-99&limit=5&offset=0`,
  );
  expect(page.body.total).toBe(11);
  expect(page.body.items.every((s) => s.encrypted && s.size > 0)).toBe(true);
  const raw = await api<RawSecret>(
    'GET',
    `/v2/clusters/${clusterId}/secrets/team-a/app-secret-99/raw`,
  );
  expect(raw.body.prefix).toBe(PREFIX);
  const bytes = Buffer.from(raw.body.value, 'base64');
  expect(decodeEncryptedObject(bytes.subarray(PREFIX.length)).keyID.startsWith(keyIdPrefix)).toBe(
    true,
  );
  const read = await api<Secret>('GET', `/v2/clusters/${clusterId}/secrets/team-a/app-secret-99`);
  expect(Buffer.from(read.body.data.v ?? '', 'base64').toString()).toBe(
    written.get(raw.body.storeKey),
  );
  const write = await api<{ code: string }>('POST', `/v2/clusters/${clusterId}/secrets`, {
    namespace: 'default',
    name: 'from-keyhaven',
    data: { v: 'eA==' },
  });
  expect(write.body.code).toBe('CONNECTED_CLUSTER_READ_ONLY');
}

const keyIdsOf = (ids: Map<string, string>) => new Set(ids.values());

beforeAll(async () => {
  if (SKIP_KUBE) return;
  dir = mkdtempSync('/tmp/khc-');
  enginePort = await freePort();
  await startEngine();
  kube = await startKube(join(dir, 'kube'), identityConfig);
  await kubeOk('POST', '/api/v1/namespaces', { metadata: { name: 'team-a' } });
  const names = Array.from({ length: SECRETS }, (_, i) => i);
  for (let i = 0; i < names.length; i += 25)
    await Promise.all(
      names.slice(i, i + 25).map(async (n) => {
        const namespace = NAMESPACES[n % 2] ?? 'default';
        const name = `app-secret-${n}`;
        const value = `value ${n} ${'x'.repeat(n % 13)}`;
        await kubeOk('POST', `/api/v1/namespaces/${namespace}/secrets`, {
          metadata: { name },
          data: { v: Buffer.from(value).toString('base64') },
        });
        written.set(`/registry/secrets/${namespace}/${name}`, value);
      }),
    );
  keyA = await createRootKey(engine.url, admin, INSTANCE, 'connected-key-a');
  keyB = await createRootKey(engine.url, admin, INSTANCE, 'connected-key-b');
}, 900_000);

afterAll(async () => {
  if (SKIP_KUBE) return;
  await kube?.stop();
  if (plugin) await stopPlugin(plugin);
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SKIP_KUBE)('a connected cluster: Keyhaven migrates its Secrets itself', () => {
  it('stores the 1,000 Secrets plain before KMS is enabled', async () => {
    const ids = await storedKeyIds();
    expect(ids.size).toBe(SECRETS);
    expect(keyIdsOf(ids)).toEqual(new Set(['plain']));
  });

  it('refuses to connect with a clear reason for each bad credential', async () => {
    const nobody = await serviceAccount('keyhaven-nobody', []);
    const readOnly = await serviceAccount('keyhaven-reader', ['list', 'get']);
    const closed = `https://127.0.0.1:${await freePort()}`;
    const otherCa = otherCertificate();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ token: 'not-a-token' }, 'CLUSTER_TOKEN_REFUSED', /refused the token/],
      [{ token: nobody }, 'CLUSTER_PERMISSION_MISSING', /may not list, get, update Secrets/],
      [{ token: readOnly }, 'CLUSTER_PERMISSION_MISSING', /may not update Secrets/],
      [{ token: nobody, server: closed }, 'CLUSTER_UNREACHABLE', /cannot be reached/],
      [{ token: nobody, caCertificate: otherCa }, 'CLUSTER_CERTIFICATE_UNTRUSTED', /not trusted/],
    ];
    for (const [overrides, code, message] of cases) {
      const refused = await connect(overrides);
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect(refused.body.code).toBe(code);
      expect(refused.body.message).toMatch(message);
      expect(JSON.stringify(refused.body)).not.toContain(String(overrides.token));
    }
  });

  it('connects with a service account that may list, get and update Secrets', async () => {
    const token = await serviceAccount('keyhaven', ['list', 'get', 'update']);
    const connected = await connect({ token, etcd: kube.etcd });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    clusterId = connected.body.id;
    expect(connected.body).toMatchObject({
      name: 'real-cluster',
      masterKubeVersion: 'v1.37.2',
      masterStatus: 'Ready',
      kms: null,
      connection: { server: kube.server, etcd: true, plugins: [] },
    });
    expect(JSON.stringify(connected.body)).not.toContain(token);
    expect(JSON.stringify(connected.body)).not.toContain(kube.etcd.clientKey.split('\n')[1]);
    const raw = await api<RawSecret>(
      'GET',
      `/v2/clusters/${clusterId}/secrets/team-a/app-secret-1/raw`,
    );
    expect(raw.body).toMatchObject({
      storeKey: '/registry/secrets/team-a/app-secret-1',
      prefix: null,
      encrypted: false,
    });
    const listed = await api<Cluster[]>('GET', '/v2/clusters');
    expect(listed.body.map((c) => c.id)).toContain(clusterId);
  });

  it('enables key A: the plug-in follows the cluster and every Secret moves under A', async () => {
    await enableWith(keyA);
    expect((await cluster()).masterStatus).toBe('KMS feature enablement in progress.');
    // The administrator installs the plug-in and the EncryptionConfiguration Keyhaven gives.
    const setup = await api<KmsPluginSetup>('POST', `/v2/clusters/${clusterId}/kms-plugin-setup`);
    expect(setup.status, JSON.stringify(setup.body)).toBe(201);
    const socket = join(dir, 'kms.sock');
    plugin = await spawnPlugin(dir, localSetup(setup.body.pluginConfig, socket, await freePort()));
    await kube.restart(localSetup(setup.body.encryptionConfiguration, socket));
    await expectPluginKeyScoped(setup.body.pluginConfig);
    const done = await ready('Ready under key A');
    expect(done.enablement).toMatchObject({ reason: 'enable', progress: { total: SECRETS } });
    const version = done.kms?.keyVersion ?? '-';
    const ids = await storedKeyIds();
    expect([...keyIdsOf(ids)].every((id) => id.startsWith(prefixOf(keyA, version)))).toBe(true);
    expect(keyIdsOf(ids).size).toBe(1);
    await expectValuesIntact();
    await expectVerifiedFromEtcd(prefixOf(keyA, version));
    expect(done.connection?.plugins).toEqual([
      expect.objectContaining({ resource: expect.stringMatching(/^kms-plugin:/), healthz: 'ok' }),
    ]);
  });

  it('updates to key B, survives a SIGKILL of the engine mid-migration, and loses nothing', async () => {
    await enableWith(keyB);
    const midway = await eventually('the migration under way', async () => {
      const job = (await cluster()).enablement;
      return job && job.progress.done > 0 && job.progress.done < job.progress.total
        ? job
        : undefined;
    });
    engine.child.kill('SIGKILL');
    await engine.exited;
    await startEngine();
    const done = await ready('Ready under key B after the restart');
    expect(done.enablement?.jobId).toBe(midway.jobId);
    const ids = await storedKeyIds();
    const version = done.kms?.keyVersion ?? '-';
    expect([...keyIdsOf(ids)].every((id) => id.startsWith(prefixOf(keyB, version)))).toBe(true);
    await expectValuesIntact();
    expect(done.kms?.previousCrkIds).toEqual([keyA]);
  });

  it('re-enables and migrates when B rotates in its instance', async () => {
    const before = (await cluster()).kms?.keyVersion;
    expect((await api('POST', `/api/v2/keys/${keyB}/actions/rotate`)).status).toBe(204);
    const done = await eventually('Ready on the new version', async () => {
      const c = await cluster();
      return c.kms?.keyVersion !== before && c.masterStatus === 'Ready' ? c : undefined;
    });
    expect(done.enablement?.reason).toBe('rotate');
    const ids = await storedKeyIds();
    const version = done.kms?.keyVersion ?? '-';
    expect([...keyIdsOf(ids)].every((id) => id.startsWith(prefixOf(keyB, version)))).toBe(true);
    await expectValuesIntact();
  });

  it('goes on after etcd compacts away its list’s continue token (410), writing each Secret once', async () => {
    // Lists served from etcd, not the watch cache, so that a compaction expires the token.
    await kube.restart(undefined, ['--watch-cache=false']);
    const before = (await cluster()).kms?.keyVersion;
    expect((await api('POST', `/api/v2/keys/${keyB}/actions/rotate`)).status).toBe(204);
    await eventually('the migration past its first page', async () => {
      const job = (await cluster()).enablement;
      return job?.reason === 'rotate' && job.keyVersion !== before && job.progress.done >= 200
        ? job
        : undefined;
    });
    // Compacted past the revision its continue token holds, the next page answers 410.
    await kube.etcdCompact();
    const done = await eventually('Ready after the compaction', async () => {
      const c = await cluster();
      return c.kms?.keyVersion !== before && c.masterStatus === 'Ready' ? c : undefined;
    });
    // The 410 happened, and nothing was counted twice (a relist from the start counted again).
    const activity = await api<{ action: string; message: string }[]>(
      'GET',
      `/v2/clusters/${clusterId}/activity`,
    );
    expect(activity.body.map((a) => a.action)).toContain('kms.migration-relist');
    expect(done.enablement?.progress).toMatchObject({ done: SECRETS, total: SECRETS });
    const ids = await storedKeyIds();
    const version = done.kms?.keyVersion ?? '-';
    expect([...keyIdsOf(ids)].every((id) => id.startsWith(prefixOf(keyB, version)))).toBe(true);
    await expectValuesIntact();
    await kube.restart();
  });

  it('warns while B is disabled, and the API server’s KMS check fails; enabling B restores Ready', async () => {
    expect((await api('POST', `/api/v2/keys/${keyB}/actions/disable`)).status).toBe(204);
    const warned = await eventually('the warning', async () => {
      const c = await cluster();
      return c.masterHealth === 'warning' ? c : undefined;
    });
    expect(warned.masterStatus).toMatch(/disabled/);
    await eventually('the API server’s KMS check failing', async () => {
      const check = await kube.request('GET', '/readyz/kms-providers');
      return check.status !== 200 ? check : undefined;
    });
    expect((await api('POST', `/api/v2/keys/${keyB}/actions/enable`)).status).toBe(204);
    await eventually('Ready again', async () =>
      (await cluster()).masterStatus === 'Ready' ? true : undefined,
    );
    await eventually('the KMS check passing', async () =>
      (await kube.request('GET', '/readyz/kms-providers')).status === 200 ? true : undefined,
    );
    await expectValuesIntact();
  });

  it('cannot be disconnected while KMS is enabled (R5)', async () => {
    const refused = await api<{ code: string }>('DELETE', `/v2/clusters/${clusterId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('KMS_ENABLED');
  });

  // Last: the engine's clock runs a month ahead from here on.
  it('rotates B by its policy a month later: the connected and a demo cluster re-encrypt by themselves', async () => {
    const DEMO = 'c-dev-us-east';
    const demoCluster = async () => (await api<Cluster>('GET', `/v2/clusters/${DEMO}`)).body;
    const onB = await api('POST', '/v2/enableKMS', {
      cluster: DEMO,
      instance_id: INSTANCE,
      crk_id: keyB,
      private_endpoint: true,
    });
    expect(onB.status, JSON.stringify(onB.body)).toBe(202);
    await eventually('the demo cluster Ready under B', async () => {
      const c = await demoCluster();
      return c.masterStatus === 'Ready' && c.kms?.crkId === keyB ? c : undefined;
    });
    const before = (await cluster()).kms?.keyVersion;
    const policy = await api('PUT', `/api/v2/keys/${keyB}/policies?policy=rotation`, {
      metadata: { collectionType: 'application/vnd.ibm.kms.policy+json', collectionTotal: 1 },
      resources: [
        {
          type: 'application/vnd.ibm.kms.policy+json',
          rotation: { enabled: true, interval_month: 1 },
        },
      ],
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    // A month and a day later, as far as the engine can tell.
    engine.child.kill('SIGTERM');
    await engine.exited;
    Object.assign(engineEnv, { KEYHAVEN_CLOCK_OFFSET_SECONDS: String(31 * 86_400) });
    await startEngine();
    const done = await eventually(
      'the connected cluster Ready on the version the policy made',
      async () => {
        const c = await cluster();
        return c.kms?.keyVersion !== before && c.masterStatus === 'Ready' ? c : undefined;
      },
    );
    const version = done.kms?.keyVersion ?? '-';
    expect(done.enablement).toMatchObject({ reason: 'rotate', state: 'succeeded' });
    const activity = await api<{ action: string; message: string }[]>(
      'GET',
      `/v2/clusters/${clusterId}/activity`,
    );
    expect(activity.body.find((a) => a.action === 'kms.rotate')?.message).toBe(
      'Rotated by policy: re-enabling KMS with the new version of root key connected-key-b.',
    );
    const ids = await storedKeyIds();
    expect([...keyIdsOf(ids)].every((id) => id.startsWith(prefixOf(keyB, version)))).toBe(true);
    await expectValuesIntact();
    const demo = await eventually('the demo cluster Ready on the same version', async () => {
      const c = await demoCluster();
      return c.kms?.keyVersion === version && c.masterStatus === 'Ready' ? c : undefined;
    });
    expect(demo.enablement?.reason).toBe('rotate');
    const key = await api<{ resources: { lastRotateDate: string; nextRotationDate: string }[] }>(
      'GET',
      `/api/v2/keys/${keyB}`,
    );
    const [rotated] = key.body.resources;
    expect(
      new Date(rotated?.nextRotationDate ?? 0).getTime() -
        new Date(rotated?.lastRotateDate ?? 0).getTime(),
    ).toBe(30 * 86_400_000);
  });
});

/** A self-signed CA certificate that signed nothing of this cluster. */
const otherCertificate = () =>
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-subj',
      '/CN=another-ca',
      '-days',
      '1',
      '-keyout',
      '/dev/null',
    ]),
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
