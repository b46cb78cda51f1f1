import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, getDoc } from '../src/domain/context.ts';
import { Credentials } from '../src/domain/credentials.ts';
import { StoreKey, type JobRecord } from '../src/domain/records.ts';
import { encodeEncryptedObject, DekSourceType } from '../src/crypto/encrypted-object.ts';
import { kmsPrefix } from '../src/crypto/envelope.ts';
import type { EtcdReader } from '../src/kube/etcd-reader.ts';
import { KubeError } from '../src/kube/client.ts';
import type { KubeClientFactory } from '../src/domain/cluster-access.ts';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';
import {
  fakeClock,
  jobRecord,
  migrationOf,
  pagedServer,
  rootKey,
  runOf,
  storeJob,
  takenKeyId,
} from './migration-fixtures.ts';
import { clusterRecordOf } from './records.ts';

/**
 * Issue 25's "Ready is earned", in milliseconds: with etcd access the migration's last page
 * reads every Secret's stored bytes (a fake etcd here), writes once more what is behind, and
 * refuses to say Ready, naming what is still behind.
 */
const stored = new Map<string, Buffer>();
/** Store keys whose bytes a write through the API server does not bring up to date. */
const stuck = new Set<string>();
const etcdCalls = { scans: 0 };
const fakeEtcd: EtcdReader = {
  read: async (keys) =>
    new Map(keys.flatMap((k) => (stored.has(k) ? [[k, stored.get(k) ?? Buffer.alloc(0)]] : []))),
  scan: async (prefix, each) => {
    etcdCalls.scans++;
    each([...stored].filter(([k]) => k.startsWith(prefix)).map(([key, value]) => ({ key, value })));
  },
};
const under = (keyId: string) =>
  Buffer.concat([
    Buffer.from(kmsPrefix('keyhaven')),
    encodeEncryptedObject({
      encryptedData: Buffer.from('x'),
      keyID: keyId,
      encryptedDEKSource: Buffer.from('w'),
      annotations: {},
      encryptedDEKSourceType: DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED,
    }),
  ]);

/** The API servers the engine reached by itself (a step without a run loads its own client). */
const reached: { token: string; api: ReturnType<typeof pagedServer> }[] = [];
const fakeKube: KubeClientFactory = (target) => {
  const api = pagedServer(['s0', 's1', 's2']);
  reached.push({ token: target.token, api });
  return {
    ...api.client,
    version: async () => 'v1.37.2',
    can: async () => true,
    secretNames: async () => [],
    secretNamesPage: async () => ({ names: [] }),
  };
};

let t: TestEngine;
let seq = 0;
beforeAll(async () => {
  t = await makeEngine({ secrets: 0, etcdReaders: () => fakeEtcd, kubeClients: fakeKube });
});
afterAll(() => t.close());

/** A connected cluster with etcd access on its last page: Secrets s0..s2 of team-a. */
async function lastPage() {
  const clusterId = `kc-verify-${++seq}`;
  const key = await rootKey(t, 'cluster-root-key-1');
  const job = jobRecord(clusterId, key.value, { takenAt: new Date().toISOString(), total: 3 });
  const credentials = new Credentials(t.engine.ctx);
  const cluster = clusterRecordOf({
    id: clusterId,
    kms: {
      instanceId: 'kp-us-south',
      accountId: 'acct-demo',
      crkId: key.value.id,
      keyVersion: job.keyVersion,
      privateEndpoint: true,
    },
    connection: {
      server: 'https://10.0.0.5:6443',
      caCertificate: '',
      sealedToken: await credentials.seal('token', `${clusterId}/token`),
      etcd: {
        endpoints: ['https://10.0.0.5:2379'],
        caCertificate: '',
        clientCertificate: '',
        sealedClientKey: await credentials.seal('key', `${clusterId}/etcd`),
      },
      connectedAt: new Date().toISOString(),
    },
  });
  await t.engine.ctx.store.txn(
    [],
    [{ type: 'put', key: StoreKey.cluster(clusterId), value: json(cluster) }],
  );
  stored.clear();
  stuck.clear();
  etcdCalls.scans = 0;
  const current = under(takenKeyId(job));
  const api = pagedServer(['s0', 's1', 's2']);
  // A write through the API server stores the Secret under the key it uses now, unless stuck.
  const replace = api.client.replaceSecret;
  api.client.replaceSecret = async (s) => {
    const storeKey = `/registry/secrets/${s.metadata.namespace}/${s.metadata.name}`;
    if (!stuck.has(storeKey)) stored.set(storeKey, current);
    return replace(s);
  };
  const reads: string[] = [];
  api.client.getSecret = async (namespace, name) => {
    reads.push(`${namespace}/${name}`);
    return { metadata: { namespace, name, resourceVersion: '2' } };
  };
  return { clusterId, key, doc: await storeJob(t, job), api, current, reads };
}

const jobOf = async (clusterId: string) =>
  (await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(clusterId)))?.value;

describe('the migration verifies the stored bytes in etcd before it says Ready', () => {
  it('is Ready and verified when every Secret is under the job’s key version', async () => {
    const { clusterId, key, doc, api } = await lastPage();
    await migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client));
    expect(await jobOf(clusterId)).toMatchObject({ state: 'succeeded', verified: true });
    const [ready] = (await t.engine.activity.list('cluster', clusterId)).filter(
      (e) => e.action === 'kms.ready',
    );
    expect(ready?.message).toBe(
      'Migrated 3 secrets through the API server under root key cluster-root-key-1; the master is Ready. Verified in etcd: every Secret is stored under the new key version.',
    );
    expect((await t.engine.clusters.record(clusterId)).value.status.message).toBe('Ready');
    expect(etcdCalls.scans).toBe(1);
  });

  it('writes once more a Secret the list missed, then is Ready', async () => {
    const { clusterId, key, doc, api } = await lastPage();
    stored.set('/registry/secrets/team-b/late', Buffer.from('plaintext'));
    await migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client));
    expect(stored.get('/registry/secrets/team-b/late')?.subarray(0, 16).toString()).toBe(
      'k8s:enc:kms:v2:k',
    );
    expect(await jobOf(clusterId)).toMatchObject({ state: 'succeeded', verified: true });
  });

  it('refuses Ready while Secrets stay behind, naming up to five', async () => {
    const { clusterId, key, doc, api } = await lastPage();
    stuckBehind(7);
    const err = await engineRefusal(
      migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client)),
    );
    expect(err).toMatchObject({ status: 503, code: 'MIGRATION_UNVERIFIED', retryAfter: 5 });
    expect(err.message).toBe(
      '7 Secrets in etcd are not under the new key version yet (team-c/old-0, team-c/old-1, team-c/old-2, team-c/old-3, team-c/old-4, …): does every API server use its Keyhaven KMS plug-in?',
    );
    expect(await jobOf(clusterId)).toMatchObject({ state: 'running' });
    expect(api.calls.closed).toBe(1);
  });

  /** Seven (or `n`) Secrets of team-c that stay under another key whatever is written. */
  const stuckBehind = (n: number) => {
    for (let i = 0; i < n; i++) {
      const storeKey = `/registry/secrets/team-c/old-${i}`;
      stored.set(storeKey, under('keyhaven:v1:kp-us-south:other:v1:r1'));
      stuck.add(storeKey);
    }
  };

  it('names all of five Secrets behind, without an ellipsis', async () => {
    const { clusterId, key, doc, api } = await lastPage();
    stuckBehind(5);
    const err = await engineRefusal(
      migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client)),
    );
    expect(err.message).toBe(
      '5 Secrets in etcd are not under the new key version yet (team-c/old-0, team-c/old-1, team-c/old-2, team-c/old-3, team-c/old-4): does every API server use its Keyhaven KMS plug-in?',
    );
    expect(etcdCalls.scans).toBe(2);
  });

  it('writes once more at most a thousand Secrets found behind', async () => {
    const { clusterId, key, doc, api, reads } = await lastPage();
    stuckBehind(1_001);
    const err = await engineRefusal(
      migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client)),
    );
    expect(err.message).toMatch(/^1,001 Secrets in etcd are not under the new key version yet/);
    expect(reads).toHaveLength(1_000);
  });

  it('counts as behind what only looks encrypted: a plain value, a frame that does not parse', async () => {
    const { clusterId, key, doc, api, current } = await lastPage();
    // A plain Secret whose bytes hold a valid EncryptedObject under the job's key, as long a way
    // in as a prefix naming no provider would be.
    const lookalike = Buffer.concat([
      Buffer.from('{"kind":"Secret","data":{'),
      current.subarray(kmsPrefix('keyhaven').length),
    ]);
    stored.set('/registry/secrets/team-d/lookalike', lookalike);
    stored.set(
      '/registry/secrets/team-d/torn',
      Buffer.concat([current.subarray(0, kmsPrefix('keyhaven').length), Buffer.from([0x0a, 0x50])]),
    );
    stuck.add('/registry/secrets/team-d/lookalike');
    stuck.add('/registry/secrets/team-d/torn');
    const err = await engineRefusal(
      migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client)),
    );
    expect(err.message).toMatch(/^2 Secrets .* \(team-d\/lookalike, team-d\/torn\)/);
  });

  it('skips a Secret deleted before it is written once more; fails on any other read failure', async () => {
    const { clusterId, key, doc, api } = await lastPage();
    stored.set('/registry/secrets/team-e/deleted', Buffer.from('plaintext'));
    api.client.getSecret = async (namespace, name) => {
      stored.delete(`/registry/secrets/${namespace}/${name}`);
      throw new KubeError('NOT_FOUND', 'gone', 404);
    };
    await migrationOf(t, fakeClock().clock).step(clusterId, runOf(doc, key, api.client));
    expect(await jobOf(clusterId)).toMatchObject({ state: 'succeeded', verified: true });

    const again = await lastPage();
    stored.set('/registry/secrets/team-e/hidden', Buffer.from('plaintext'));
    again.api.client.getSecret = async () => {
      throw new KubeError('FORBIDDEN', 'cannot get secrets', 403);
    };
    await expect(
      migrationOf(t, fakeClock().clock).step(
        again.clusterId,
        runOf(again.doc, again.key, again.api.client),
      ),
    ).rejects.toThrow('cannot get secrets');
    expect(await jobOf(again.clusterId)).toMatchObject({ state: 'running' });
  });

  it('loads its own run when it has none: the job, its key, and a client with the opened token', async () => {
    const { clusterId } = await lastPage();
    reached.length = 0;
    expect(await migrationOf(t, fakeClock().clock).step('kc-no-job', undefined)).toBeUndefined();
    expect(reached).toEqual([]);
    await migrationOf(t, fakeClock().clock).step(clusterId, undefined);
    expect(reached.map((r) => r.token)).toEqual(['token']);
    expect(reached[0]?.api.written).toEqual(['s0', 's1', 's2']);
    expect(reached[0]?.api.calls.closed).toBe(1);
    expect(await jobOf(clusterId)).toMatchObject({ state: 'succeeded', verified: true });
  });

  it('loads a run the controller knows as a migration while the key is not taken yet', async () => {
    const { clusterId, doc } = await lastPage();
    const { takenAt: _untaken, ...waiting } = doc.value;
    await storeJob(t, waiting);
    const next = await migrationOf(t, fakeClock().clock).step(clusterId, undefined);
    expect(next?.kind).toBe('migration');
    expect(next?.job.value.takenAt).toBeUndefined();
    expect(reached.at(-1)?.api.calls.closed).toBe(0);
  });
});
