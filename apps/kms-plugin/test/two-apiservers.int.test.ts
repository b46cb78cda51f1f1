import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEntry, Cluster, KmsPluginSetup } from '@keyhaven/contracts';
import { decodeEncryptedObject } from '@keyhaven/engine';
import {
  freePort,
  spawnDemoEngine,
  tokenFor,
  type EngineProcess,
} from '../../engine/test/process.ts';
import {
  SKIP_KUBE,
  identityConfig,
  kubeOk,
  serviceAccountToken,
  startKube,
  type ApiServer,
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
 * Issue 29: a connected cluster with two API servers on one etcd, each with its own plug-in. A
 * key change waits until both took the key; killing one API server during the migration pauses
 * the job, saying which, and it finishes once that server is back.
 */
const PASSWORD = 'two-apiservers-test-password';
const PREFIX = 'k8s:enc:kms:v2:keyhaven:';
const SECRETS = 600;
let dir: string;
let engine: EngineProcess;
let admin: string;
let kube: Kube;
let second: ApiServer;
const plugins: PluginProcess[] = [];
let clusterId: string;
let keyA: string;
let keyB: string;
const written = new Map<string, string>();

/** Slow enough that the migration outlives the silence that pauses it (4/s: 150 s in all). */
const engineEnv = {
  KEYHAVEN_MIGRATION_RATE: '4',
  KEYHAVEN_MIGRATION_PAGE_SIZE: '20',
  KEYHAVEN_PLUGIN_SILENT_SECONDS: '75',
};

const { api, cluster, enableWith, ready } = connectedCluster({
  url: () => engine.url,
  token: () => admin,
  clusterId: () => clusterId,
});

/** The setup files for one more plug-in, named for its API server (CLUSTER_NAME). */
async function pluginFor(name: string) {
  const setup = await api<KmsPluginSetup>('POST', `/v2/clusters/${clusterId}/kms-plugin-setup`);
  expect(setup.status, JSON.stringify(setup.body)).toBe(201);
  const socket = join(dir, `${name}.sock`);
  const config = localSetup(setup.body.pluginConfig, socket, await freePort()).replace(
    'SERVER_CONFIG:\n',
    `SERVER_CONFIG:\n  CLUSTER_NAME: "${name}"\n`,
  );
  plugins.push(await spawnPlugin(dir, config.replace('LOG_LEVEL: "debug"', 'LOG_LEVEL: "warn"')));
  return localSetup(setup.body.encryptionConfiguration, socket);
}

/** Which key_id each Secret's stored bytes carry, read from etcd; none stored plain. */
async function storedKeyIds(): Promise<Set<string>> {
  const stored = await kube.etcdRange('/registry/secrets/default/');
  const ids = new Set<string>();
  for (const key of written.keys()) {
    const bytes = stored.get(key);
    if (!bytes) throw new Error(`etcd lost ${key}`);
    expect(bytes.subarray(0, PREFIX.length).toString(), key).toBe(PREFIX);
    ids.add(decodeEncryptedObject(bytes.subarray(PREFIX.length)).keyID);
  }
  return ids;
}

/** Every Secret reads back with its value through the given API server. */
async function expectValuesIntact(request: Kube['request']): Promise<void> {
  const list = await request('GET', '/api/v1/namespaces/default/secrets');
  expect(list.status).toBe(200);
  const items = (list.body as { items: { metadata: { name: string }; data: { v: string } }[] })
    .items;
  expect(items).toHaveLength(SECRETS);
  for (const item of items) {
    const key = `/registry/secrets/default/${item.metadata.name}`;
    expect(Buffer.from(item.data.v, 'base64').toString(), key).toBe(written.get(key));
  }
}

beforeAll(async () => {
  if (SKIP_KUBE) return;
  dir = mkdtempSync('/tmp/kh2-');
  engine = await spawnDemoEngine(dir, PASSWORD, engineEnv, await freePort());
  admin = await tokenFor(engine.url, 'admin', PASSWORD);
  kube = await startKube(join(dir, 'kube'), identityConfig);
  for (let i = 0; i < SECRETS; i += 25)
    await Promise.all(
      Array.from({ length: Math.min(25, SECRETS - i) }, async (_, j) => {
        const name = `ha-secret-${i + j}`;
        const value = `value ${i + j}`;
        await kubeOk(kube, 'POST', '/api/v1/namespaces/default/secrets', {
          metadata: { name },
          data: { v: Buffer.from(value).toString('base64') },
        });
        written.set(`/registry/secrets/default/${name}`, value);
      }),
    );
  keyA = await createRootKey(engine.url, admin, INSTANCE, 'ha-key-a');
  keyB = await createRootKey(engine.url, admin, INSTANCE, 'ha-key-b');
  const token = await serviceAccountToken(kube, 'keyhaven', ['list', 'get', 'update']);
  const connected = await api<Cluster>('POST', '/v2/clusters', {
    name: 'ha-cluster',
    server: kube.server,
    caCertificate: kube.caCertificate(),
    token,
    // With etcd access, "Ready" is earned: the stored bytes of every Secret are checked.
    etcd: kube.etcd,
  });
  expect(connected.status, JSON.stringify(connected.body)).toBe(201);
  clusterId = connected.body.id;
}, 900_000);

afterAll(async () => {
  if (SKIP_KUBE) return;
  await kube?.stop();
  for (const plugin of plugins) await stopPlugin(plugin);
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(SKIP_KUBE)('a connected cluster with two API servers', () => {
  it('migrates under key A once both API servers, each with its plug-in, took it', async () => {
    await enableWith(keyA);
    const first = await pluginFor('apiserver-1');
    const other = await pluginFor('apiserver-2');
    await kube.restart(first);
    second = await kube.addApiServer(other);
    const done = await ready('Ready under key A', 240);
    expect(done.connection?.plugins.map((p) => p.resource).sort()).toEqual([
      'kms-plugin:apiserver-1',
      'kms-plugin:apiserver-2',
    ]);
    expect(
      [...(await storedKeyIds())].every((id) =>
        id.startsWith(prefixOf(keyA, done.kms?.keyVersion)),
      ),
    ).toBe(true);
    await expectValuesIntact(kube.request);
    await expectValuesIntact(second.request);
  }, 600_000);

  it('pauses an Update while one API server is gone, saying which, and finishes when it is back', async () => {
    await enableWith(keyB);
    await eventually(
      'the migration under way',
      async () => {
        const job = (await cluster()).enablement;
        return job?.takenAt && job.progress.done > 0 ? job : undefined;
      },
      240,
    );
    await second.kill();
    const paused = await eventually(
      'the job paused',
      async () => {
        const c = await cluster();
        return c.masterStatus.includes('Paused') && c.masterStatus.includes('apiserver-2')
          ? c
          : undefined;
      },
      240,
    );
    expect(paused.masterHealth).toBe('warning');
    expect(paused.masterStatus).toMatch(
      /Paused: Re-encryption under root key ha-key-b waits for every API server of the cluster: KMS plug-in .*kms-plugin:apiserver-2 has not reported since/,
    );
    // Nothing is written while it waits.
    const at = paused.enablement?.progress.done;
    await new Promise((r) => setTimeout(r, 8000));
    expect((await cluster()).enablement?.progress.done).toBe(at);
    expect(at).toBeLessThan(SECRETS);

    await second.start();
    const done = await ready('Ready under key B, the API server back', 240);
    const ids = await storedKeyIds();
    expect([...ids].every((id) => id.startsWith(prefixOf(keyB, done.kms?.keyVersion)))).toBe(true);
    await expectValuesIntact(kube.request);
    await expectValuesIntact(second.request);
    const activity = await api<ActivityEntry[]>('GET', `/v2/clusters/${clusterId}/activity`);
    expect(activity.body.find((e) => e.action === 'kms.paused')?.message).toContain(
      'kms-plugin:apiserver-2 has not reported since',
    );
  }, 600_000);
});
