import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../src/domain/records.ts';
import { getDoc, json } from '../src/domain/context.ts';
import { engineRefusal, keyId, makeEngine, PROD, type TestEngine } from './helpers.ts';

/**
 * Issue 27: what Enable and Update write and say, word for word, beside the rules suite that
 * proves the behaviour (R1–R12): the job record, the activity entries and each refusal.
 */
let t: TestEngine;
beforeAll(async () => {
  t = await makeEngine({ secrets: 5 });
});
afterAll(() => t.close());

const STAGING = 'c-staging-us-south';
const DEV = 'c-dev-us-east';
const enable = (cluster: string, key: string, over: Record<string, unknown> = {}) =>
  t.engine.controller.enable(t.admin, {
    cluster,
    instance_id: 'kp-us-south',
    crk_id: keyId(t, key),
    private_endpoint: true,
    ...over,
  });
const putKey = (key: RootKeyRecord) =>
  t.engine.ctx.store.txn([], [{ type: 'put', key: StoreKey.key(key.id), value: json(key) }]);
const activity = async (kind: 'cluster' | 'key', id: string, action: string) =>
  (await t.engine.activity.list(kind, id)).filter((e) => e.action === action).map((e) => e.message);

describe('Enable, then Update', () => {
  it('writes the job and says what was enabled, through which endpoint, and which key it uses', async () => {
    const accepted = await enable(STAGING, 'cluster-root-key-3');
    const job = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(STAGING));
    const key = (await t.engine.keys.list(t.admin, 'kp-us-south')).find(
      (k) => k.name === 'cluster-root-key-3',
    );
    expect(job?.value).toMatchObject({
      id: accepted.jobId,
      clusterId: STAGING,
      reason: 'enable',
      actor: 'admin',
      instanceId: 'kp-us-south',
      crkId: keyId(t, 'cluster-root-key-3'),
      keyVersion: key?.versions.at(-1)?.id,
      privateEndpoint: true,
      accountId: 'acct-demo',
      fromCrkId: null,
    });
    expect(job?.value).not.toHaveProperty('fromCrkName');
    expect(await activity('cluster', STAGING, 'kms.enable')).toEqual([
      'Enabled KMS with root key cluster-root-key-3 of keyhaven-key-protect (private endpoint).',
    ]);
    const entries = [
      ...(await t.engine.activity.list('cluster', STAGING)),
      ...(await t.engine.activity.list('key', keyId(t, 'cluster-root-key-3'))),
    ].filter((e) => e.action === 'kms.enable' || e.action === 'key.register');
    expect(entries.map(({ actor, result }) => ({ actor, result }))).toEqual([
      { actor: 'admin', result: 'success' },
      { actor: 'admin', result: 'success' },
    ]);
    expect(await activity('key', keyId(t, 'cluster-root-key-3'), 'key.register')).toEqual([
      'Cluster staging-us-south now uses this root key.',
    ]);
    const busy = await engineRefusal(enable(STAGING, 'cluster-root-key-2'));
    expect(busy).toMatchObject({
      status: 409,
      code: 'ENABLEMENT_IN_PROGRESS',
      message:
        'A KMS enablement is already in progress for this cluster; wait until the master is Ready.',
    });
    await t.engine.controller.settled(STAGING);

    await enable(STAGING, 'cluster-root-key-2', { private_endpoint: false });
    const update = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(STAGING));
    expect(update?.value).toMatchObject({
      reason: 'update',
      privateEndpoint: false,
      fromCrkId: keyId(t, 'cluster-root-key-3'),
      fromCrkName: 'cluster-root-key-3',
    });
    // Issue 30, walk fault 4: Master status says from which key to which.
    expect((await t.engine.clusters.get(t.admin, STAGING)).masterStatus).toBe(
      'KMS feature enablement in progress. Updating from cluster-root-key-3 to cluster-root-key-2.',
    );
    expect(await activity('cluster', STAGING, 'kms.update')).toEqual([
      'Updated KMS with root key cluster-root-key-2 of keyhaven-key-protect (public endpoint).',
    ]);
    await t.engine.controller.settled(STAGING);
    const cluster = await t.engine.clusters.get(t.admin, STAGING);
    expect(cluster.kms?.previousCrkIds).toEqual([keyId(t, 'cluster-root-key-3')]);
  });
});

describe('Enable refused', () => {
  it('names a root key that is not in the instance', async () => {
    const missing = await engineRefusal(enable(DEV, 'cluster-root-key-1', { crk_id: 'nope' }));
    expect(missing).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      message: 'Root key nope was not found in KMS instance keyhaven-key-protect',
    });
    const hpcsKey = (await t.engine.keys.list(t.admin, 'hpcs-us-south'))[0]?.id ?? '';
    const elsewhere = await engineRefusal(enable(DEV, 'cluster-root-key-1', { crk_id: hpcsKey }));
    expect(elsewhere).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('asks for the account of an instance in another account, naming it', async () => {
    const partnerKey = (await t.engine.keys.list(t.admin, 'kp-partner-eu-de'))[0]?.id ?? '';
    const err = await engineRefusal(
      enable(DEV, 'cluster-root-key-1', { instance_id: 'kp-partner-eu-de', crk_id: partnerKey }),
    );
    expect(err).toMatchObject({
      status: 400,
      code: 'ACCOUNT_MISMATCH',
      message:
        'KMS instance partner-key-protect belongs to account acct-partner; pass account_id=acct-partner to use cross-account encryption.',
      details: { field: 'account_id' },
    });
  });

  it('refuses a viewer, and writes no job for any refusal', async () => {
    const err = await engineRefusal(
      t.engine.controller.enable(t.viewer, {
        cluster: DEV,
        instance_id: 'kp-us-south',
        crk_id: keyId(t, 'cluster-root-key-1'),
        private_endpoint: true,
      }),
    );
    expect(err).toMatchObject({ status: 403 });
    expect(await getDoc(t.engine.ctx.store, StoreKey.job(DEV))).toBeUndefined();
    expect((await t.engine.clusters.get(t.admin, PROD)).kms).toBeNull();
  });

  it('names the service role on the instance that a cluster Administrator lacks', async () => {
    const noKmsRole = { ...t.admin, serviceRoles: [] };
    const err = await engineRefusal(
      t.engine.controller.enable(noKmsRole, {
        cluster: DEV,
        instance_id: 'kp-us-south',
        crk_id: keyId(t, 'cluster-root-key-1'),
        private_endpoint: true,
      }),
    );
    expect(err).toMatchObject({
      status: 403,
      message: 'You need the Reader service role on KMS instance kp-us-south.',
    });
  });

  it('names a root key without key material', async () => {
    const id = keyId(t, 'cluster-root-key-1');
    const doc = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(id));
    if (!doc) throw new Error('no root key');
    await putKey({ ...doc.value, versions: [] });
    try {
      expect(await engineRefusal(enable(DEV, 'cluster-root-key-1'))).toMatchObject({
        status: 409,
        code: 'KEY_MISSING',
        message: 'Root key cluster-root-key-1 has no key material.',
      });
    } finally {
      await putKey(doc.value);
    }
  });

  it('writes nothing when the cluster changed while it ran, and says so', async () => {
    const store = t.engine.ctx.store;
    const txn = store.txn.bind(store);
    const cluster = await store.get(StoreKey.cluster(PROD));
    if (!cluster) throw new Error('no cluster');
    store.txn = async (compares, ops) => {
      store.txn = txn;
      // Another request renamed the cluster between Enable's reads and its write.
      await txn([], [{ type: 'put', key: StoreKey.cluster(PROD), value: cluster.value }]);
      return txn(compares, ops);
    };
    try {
      expect(await engineRefusal(enable(PROD, 'cluster-root-key-1'))).toMatchObject({
        status: 409,
        code: 'CONCURRENT_CHANGE',
        message: 'The cluster or root key changed while the request ran; try again.',
      });
    } finally {
      store.txn = txn;
    }
    expect(await getDoc(store, StoreKey.job(PROD))).toBeUndefined();
    expect((await t.engine.clusters.get(t.admin, PROD)).kms).toBeNull();
  });

  it('names the service authorization another account must grant, and what it must say', async () => {
    const partnerKey = (await t.engine.keys.list(t.admin, 'kp-partner-eu-de'))[0]?.id ?? '';
    const grants = await t.engine.ctx.store.range(StoreKey.authorizations, { limit: 100 });
    const removed = grants.kvs.filter((kv) =>
      kv.key.startsWith('/keyhaven/authorizations/acct-demo/'),
    );
    await t.engine.ctx.store.txn(
      [],
      removed.map((kv) => ({ type: 'delete' as const, key: kv.key })),
    );
    try {
      const err = await engineRefusal(
        enable(DEV, 'cluster-root-key-1', {
          instance_id: 'kp-partner-eu-de',
          crk_id: partnerKey,
          account_id: 'acct-partner',
        }),
      );
      expect(err).toMatchObject({
        status: 403,
        code: 'AUTHORIZATION_MISSING',
        message:
          'Kubernetes Service in account acct-demo is not authorized to use KMS instance partner-key-protect: an administrator of account acct-partner must create a Reader service-to-service authorization from Kubernetes Service (source account acct-demo) to that instance.',
        details: {
          grantingAccount: 'acct-partner',
          required: {
            source: { accountId: 'acct-demo', serviceName: 'containers-kubernetes' },
            target: {
              accountId: 'acct-partner',
              serviceName: 'key-protect',
              instanceId: 'kp-partner-eu-de',
            },
            roles: ['Reader'],
          },
        },
      });
    } finally {
      await t.engine.ctx.store.txn(
        [],
        removed.map((kv) => ({ type: 'put' as const, key: kv.key, value: kv.value })),
      );
    }
  });
});

describe('a rotation re-enables the clusters that use the key', () => {
  it('starts a rotate job on each, says why, and keeps one registration per cluster', async () => {
    await enable(DEV, 'cluster-root-key-1');
    await t.engine.controller.settled(DEV);
    const id = keyId(t, 'cluster-root-key-1');
    const rotated = await t.engine.keyLifecycle.rotate(t.admin, 'kp-us-south', id);
    const job = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(DEV));
    expect(job?.value).toMatchObject({
      reason: 'rotate',
      crkId: id,
      keyVersion: rotated.versions.at(-1)?.id,
      fromCrkId: id,
    });
    // A rotation stays on its key: no "from" name to say.
    expect(job?.value).not.toHaveProperty('fromCrkName');
    const [entry] = (await t.engine.activity.list('cluster', DEV)).filter(
      (e) => e.action === 'kms.rotate',
    );
    expect(entry).toMatchObject({
      actor: 'admin',
      result: 'success',
      target: { kind: 'cluster', id: DEV },
      message: 'Re-enabling KMS with the new version of root key cluster-root-key-1.',
    });
    await t.engine.controller.settled(DEV);
    const key = await t.engine.keys.list(t.admin, 'kp-us-south');
    const registrations = key.find((k) => k.id === id)?.registrations ?? [];
    expect(registrations.filter((r) => r.clusterId === DEV)).toEqual([
      expect.objectContaining({ clusterId: DEV, keyVersion: rotated.versions.at(-1)?.id }),
    ]);
    expect((await t.engine.clusters.get(t.admin, DEV)).kms?.previousCrkIds).toEqual([]);
  });

  it('leaves alone a cluster on another key, without KMS, busy, or whose key went away', async () => {
    const jobOf = async (cluster: string) =>
      (await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(cluster)))?.value.id;
    const keyOf = async (name: string) => {
      const doc = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(keyId(t, name)));
      if (!doc) throw new Error(`no root key ${name}`);
      return doc.value;
    };
    /** A rotation of `key` as if every named cluster were registered with it. */
    const rotate = (key: RootKeyRecord, clusters: string[]) =>
      t.engine.controller.rotated(
        {
          ...key,
          registrations: clusters.map((clusterId) => ({
            clusterId,
            keyVersion: 'v',
            createdAt: '',
          })),
        },
        key.versions.at(-1)?.id ?? '',
        'admin',
      );
    // STAGING uses cluster-root-key-2 (not key 1); PROD has no KMS.
    const before = [await jobOf(STAGING), await jobOf(PROD)];
    await rotate(await keyOf('cluster-root-key-1'), [STAGING, PROD]);
    expect([await jobOf(STAGING), await jobOf(PROD)]).toEqual(before);
    // DEV is busy with an Update to cluster-root-key-3.
    await enable(DEV, 'cluster-root-key-3');
    const busy = await jobOf(DEV);
    const key3 = await keyOf('cluster-root-key-3');
    await rotate(key3, [DEV]);
    expect(await jobOf(DEV)).toBe(busy);
    await t.engine.controller.settled(DEV);
    // Its record is gone (deleted as the rotation began).
    await t.engine.ctx.store.txn([], [{ type: 'delete', key: StoreKey.key(key3.id) }]);
    try {
      await rotate(key3, [DEV]);
      expect(await jobOf(DEV)).toBe(busy);
    } finally {
      await putKey(key3);
    }
  });
});
