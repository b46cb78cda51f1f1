import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDoc, json } from '../src/domain/context.ts';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../src/domain/records.ts';
import {
  enableAndWait,
  engineRefusal,
  keyId,
  makeEngine,
  PROD,
  readAll,
  type TestEngine,
} from './helpers.ts';

/**
 * Issue 28: Key Protect's rotation policies. The engine's reconcile sweep rotates a key whose
 * policy is due (the test moves the engine's clock), and every cluster using it re-encrypts as
 * after a rotation by hand; a rotation by hand runs at most once an hour.
 */
let t: TestEngine;
const KP = 'kp-us-south';
const STAGING = 'c-staging-us-south';
const DAY = 24 * 3600 * 1000;
beforeAll(async () => {
  t = await makeEngine({ secrets: 5 });
});
afterAll(() => t.close());

const record = async (id: string) => {
  const doc = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(id));
  if (!doc) throw new Error(`no root key ${id}`);
  return doc.value;
};
const messages = async (kind: 'cluster' | 'key' | 'instance', id: string, action: string) =>
  (await t.engine.activity.list(kind, id)).filter((e) => e.action === action).map((e) => e.message);
const newKey = (name: string) => t.engine.keys.create(t.admin, KP, { name });
const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

describe('a rotation policy', () => {
  it('rotates the key after interval_month × 30 days, and its clusters re-encrypt, saying why', async () => {
    const before = await enableAndWait(t, PROD, 'cluster-root-key-1');
    const id = keyId(t, 'cluster-root-key-1');
    const created = await record(id);
    const set = await t.engine.keyPolicies.setKeyRotation(t.admin, KP, id, {
      enabled: true,
      interval_month: 1,
    });
    const due = new Date(Date.parse(created.creationDate) + 30 * DAY);
    expect((await t.engine.keys.view(set)).nextRotationDate).toBe(due.toISOString());
    expect(await messages('key', id, 'key.policy')).toEqual([
      `Set the rotation policy of root key cluster-root-key-1: every 1 month, next on ${day(due)}.`,
    ]);
    const [policyEntry] = (await t.engine.activity.list('key', id)).filter(
      (e) => e.action === 'key.policy',
    );
    expect(policyEntry).toMatchObject({ actor: 'admin', result: 'success' });
    expect(t.engine.keyPolicies.keyPolicies(set)).toEqual([
      expect.objectContaining({
        crn: `crn:v1:keyhaven:public:kms:kp-us-south:policy:${set.policies?.rotation?.id}`,
        type: 'application/vnd.ibm.kms.policy+json',
        createdBy: 'admin',
        updatedBy: 'admin',
        rotation: { enabled: true, interval_month: 1 },
      }),
    ]);

    t.advance(due.getTime() - t.engine.ctx.clock.now().getTime() - 60_000);
    await t.engine.controller.reconcile();
    expect((await record(id)).versions).toHaveLength(1);

    t.advance(60_000);
    await t.engine.controller.reconcile();
    const rotated = await record(id);
    const version = rotated.versions.at(-1)?.id;
    expect(rotated.versions).toHaveLength(2);
    const [entry] = (await t.engine.activity.list('key', id)).filter(
      (e) => e.action === 'key.rotate',
    );
    expect(entry).toMatchObject({
      actor: 'system',
      result: 'success',
      message: `Rotated by policy (every 1 month): root key cluster-root-key-1 has a new version ${version}.`,
    });
    const job = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(PROD));
    expect(job?.value).toMatchObject({ reason: 'rotate', actor: 'system', keyVersion: version });
    expect(await messages('cluster', PROD, 'kms.rotate')).toEqual([
      'Rotated by policy: re-enabling KMS with the new version of root key cluster-root-key-1.',
    ]);
    await t.engine.controller.settled(PROD);
    const after = await t.engine.clusters.get(t.admin, PROD);
    expect(after).toMatchObject({ masterStatus: 'Ready', kms: { keyVersion: version } });
    expect(before.kms?.keyVersion).not.toBe(version);
    expect((await readAll(t, PROD)).length).toBe(5);

    // The next rotation is counted from this one; the sweep does not rotate it again meanwhile.
    const view = await t.engine.keys.view(rotated);
    expect(view.lastRotateDate).toBe(rotated.versions.at(-1)?.creationDate);
    expect(view.nextRotationDate).toBe(
      new Date(Date.parse(view.lastRotateDate ?? '') + 30 * DAY).toISOString(),
    );
    await t.engine.controller.reconcile();
    expect((await record(id)).versions).toHaveLength(2);
  });

  it('never rotates a disabled key, and waits while a cluster using the key re-encrypts', async () => {
    const key = await newKey('policy-waits');
    await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, {
      enabled: true,
      interval_month: 2,
    });
    await t.engine.keyLifecycle.setEnabled(t.admin, KP, key.id, false);
    t.advance(61 * DAY);
    await t.engine.controller.reconcile();
    expect((await record(key.id)).versions).toHaveLength(1);
    await t.engine.keyLifecycle.setEnabled(t.admin, KP, key.id, true);

    await t.engine.controller.enable(t.admin, {
      cluster: STAGING,
      instance_id: KP,
      crk_id: key.id,
      private_endpoint: true,
    });
    await t.engine.controller.settled(STAGING);
    const job = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(STAGING));
    const running = { ...job?.value, state: 'running' } as JobRecord;
    await t.engine.ctx.store.txn(
      [],
      [{ type: 'put', key: StoreKey.job(STAGING), value: json(running) }],
    );
    await t.engine.controller.reconcile();
    expect((await record(key.id)).versions).toHaveLength(1);
    await t.engine.controller.settled(STAGING);
    await t.engine.controller.reconcile();
    expect((await record(key.id)).versions).toHaveLength(2);
    expect((await messages('key', key.id, 'key.rotate'))[0]).toMatch(
      /^Rotated by policy \(every 2 months\): root key policy-waits has a new version /,
    );
    await t.engine.controller.settled(STAGING);
  });

  it('rotates a due key once when two sweeps (two replicas) read it before either rotated it', async () => {
    const key = await newKey('policy-once');
    await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, {
      enabled: true,
      interval_month: 1,
    });
    t.advance(31 * DAY);
    const stale = await record(key.id);
    await t.engine.keyLifecycle.rotateDue([stale]);
    await t.engine.keyLifecycle.rotateDue([stale]);
    expect((await record(key.id)).versions).toHaveLength(2);
  });

  it('goes on with the other keys when one cannot be rotated', async () => {
    const failing = await newKey('policy-fails');
    const other = await newKey('policy-goes-on');
    for (const key of [failing, other])
      await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, {
        enabled: true,
        interval_month: 1,
      });
    const newVersion = t.engine.keys.newVersion.bind(t.engine.keys);
    t.engine.keys.newVersion = async (instance, id) => {
      if (id === failing.id) throw new Error('the key adapter is gone');
      return newVersion(instance, id);
    };
    try {
      t.advance(31 * DAY);
      await t.engine.controller.reconcile();
    } finally {
      t.engine.keys.newVersion = newVersion;
    }
    expect((await record(failing.id)).versions).toHaveLength(1);
    expect((await record(other.id)).versions).toHaveLength(2);
  });

  it('may be disabled before it was ever enabled, and has no interval then', async () => {
    const key = await newKey('policy-never');
    expect(t.engine.keyPolicies.keyPolicies(key)).toEqual([]);
    const off = await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, { enabled: false });
    expect(t.engine.keyPolicies.keyPolicies(off)[0]?.rotation).toStrictEqual({ enabled: false });
    expect(Object.keys(off.policies?.rotation ?? {})).not.toContain('intervalMonth');
  });

  it('stops when disabled, and keeps its interval to be enabled again', async () => {
    const key = await newKey('policy-off');
    const first = await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, {
      enabled: true,
      interval_month: 1,
    });
    const policy = first.policies?.rotation;
    expect(policy?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(policy?.creationDate ?? '')).toBeGreaterThan(0);
    const off = await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, { enabled: false });
    expect(t.engine.keyPolicies.keyPolicies(off)[0]?.rotation).toEqual({
      enabled: false,
      interval_month: 1,
    });
    expect((await t.engine.keys.view(off)).nextRotationDate).toBeUndefined();
    expect(await messages('key', key.id, 'key.policy')).toContain(
      'Disabled the rotation policy of root key policy-off.',
    );
    t.advance(31 * DAY);
    await t.engine.controller.reconcile();
    expect((await record(key.id)).versions).toHaveLength(1);
    const on = await t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, { enabled: true });
    expect(on.policies?.rotation).toMatchObject({ enabled: true, intervalMonth: 1 });
    // One policy, changed: its id and creation stay.
    expect(off.policies?.rotation?.id).toBe(policy?.id);
    expect(on.policies?.rotation?.id).toBe(policy?.id);
    expect(on.policies?.rotation?.creationDate).toBe(policy?.creationDate);
    expect(on.policies?.rotation?.lastUpdateDate).not.toBe(policy?.creationDate);
  });

  it('needs Manager on the instance, and a key that was not deleted', async () => {
    const key = await newKey('policy-guarded');
    const err = await engineRefusal(
      t.engine.keyPolicies.setKeyRotation(t.viewer, KP, key.id, {
        enabled: true,
        interval_month: 1,
      }),
    );
    expect(err).toMatchObject({
      status: 403,
      message: 'You need the Manager service role on KMS instance kp-us-south.',
    });
    await t.engine.keyLifecycle.delete(t.admin, KP, key.id, false);
    expect(
      await engineRefusal(
        t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, {
          enabled: true,
          interval_month: 1,
        }),
      ),
    ).toMatchObject({
      status: 409,
      code: 'KEY_DESTROYED',
      message: 'Root key policy-guarded was deleted; it has no policies.',
    });
  });
});

describe('an instance rotation policy', () => {
  it('is the default of keys created after it, until it is disabled', async () => {
    expect(await t.engine.keyPolicies.instancePolicies(t.admin, KP)).toEqual([]);
    await t.engine.keyPolicies.setInstanceRotation(t.admin, KP, {
      enabled: true,
      interval_month: 3,
    });
    expect(await t.engine.keyPolicies.instancePolicies(t.admin, KP)).toEqual([
      expect.objectContaining({
        policy_type: 'rotation',
        policy_data: { enabled: true, attributes: { interval_month: 3 } },
        createdBy: 'admin',
      }),
    ]);
    expect(await messages('instance', KP, 'instance.policy')).toEqual([
      'Set the rotation policy of KMS instance keyhaven-key-protect: keys created from now on rotate every 3 months.',
    ]);
    // The instance's own view does not carry its policies (they have their own API).
    const [listed] = (await t.engine.keys.listInstances(t.admin)).filter((i) => i.id === KP);
    expect(Object.keys(listed ?? {}).sort()).toEqual([
      'accountId',
      'id',
      'name',
      'privateEndpoint',
      'provider',
      'publicEndpoint',
      'region',
    ]);
    const inherited = await newKey('inherits-policy');
    expect(inherited.policies?.rotation).toMatchObject({ enabled: true, intervalMonth: 3 });
    expect((await t.engine.keys.view(inherited)).nextRotationDate).toBe(
      new Date(Date.parse(inherited.creationDate) + 90 * DAY).toISOString(),
    );
    // Another instance's keys are not affected.
    const hpcs = await t.engine.keys.create(t.admin, 'hpcs-us-south', { name: 'no-policy' });
    expect(hpcs.policies).toBeUndefined();

    await t.engine.keyPolicies.setInstanceRotation(t.admin, KP, { enabled: false });
    expect((await newKey('after-disable')).policies).toBeUndefined();
    expect((await messages('instance', KP, 'instance.policy'))[0]).toBe(
      'Disabled the rotation policy of KMS instance keyhaven-key-protect: keys created from now on have none.',
    );
    const [entry] = await t.engine.activity.list('instance', KP);
    expect(entry).toMatchObject({ actor: 'admin', result: 'success' });
    // An instance whose policy was never enabled has no interval.
    await t.engine.keyPolicies.setInstanceRotation(t.admin, 'hpcs-us-south', { enabled: false });
    const [never] = await t.engine.keyPolicies.instancePolicies(t.admin, 'hpcs-us-south');
    expect(never?.policy_data).toStrictEqual({ enabled: false });
    const noRole = { ...t.admin, serviceRoles: [] };
    expect((await engineRefusal(t.engine.keyPolicies.instancePolicies(noRole, KP))).message).toBe(
      'You need the Reader service role on KMS instance kp-us-south.',
    );
    expect(
      await engineRefusal(
        t.engine.keyPolicies.setInstanceRotation(t.viewer, KP, { enabled: false }),
      ),
    ).toMatchObject({ status: 403 });
  });
});

describe('a rotation by hand', () => {
  it('runs at most once an hour, naming when it may run again', async () => {
    const key = await newKey('hourly');
    const first = await t.engine.keyLifecycle.rotate(t.admin, KP, key.id);
    const rotatedAt = Date.parse(first.versions.at(-1)?.creationDate ?? '');
    t.advance(59 * 60_000);
    const err = await engineRefusal(t.engine.keyLifecycle.rotate(t.admin, KP, key.id));
    const from = new Date(rotatedAt + 3600_000).toISOString();
    expect(err).toMatchObject({
      status: 429,
      code: 'ROTATION_TOO_SOON',
      message: `Root key hourly was rotated less than 60 minutes ago; it can be rotated by hand again from ${from}.`,
      details: { retryAt: from },
      retryAfter: 60,
    });
    expect((await record(key.id)).versions).toHaveLength(2);
    t.advance(60_000);
    expect((await t.engine.keyLifecycle.rotate(t.admin, KP, key.id)).versions).toHaveLength(3);
  });
});
