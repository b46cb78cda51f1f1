import { KeyState } from '@keyhaven/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDoc, json } from '../src/domain/context.ts';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../src/domain/records.ts';
import {
  enableAndWait,
  engineRefusal,
  keyId,
  makeEngine,
  PROD,
  type TestEngine,
} from './helpers.ts';

/**
 * Issue 27: what rotating, disabling, enabling and deleting a root key write and say, word for
 * word, beside the rules suite that proves the behaviour (R6–R8).
 */
let t: TestEngine;
const KP = 'kp-us-south';
const STAGING = 'c-staging-us-south';
beforeAll(async () => {
  t = await makeEngine({ secrets: 5 });
  await enableAndWait(t, PROD, 'cluster-root-key-1');
  await enableAndWait(t, STAGING, 'cluster-root-key-1');
});
afterAll(() => t.close());

const messages = async (kind: 'cluster' | 'key', id: string, action: string) =>
  (await t.engine.activity.list(kind, id)).filter((e) => e.action === action).map((e) => e.message);
const record = async (name: string) =>
  (await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(keyId(t, name))))?.value;

describe('rotating a root key', () => {
  it('adds a version, dates it, and says which', async () => {
    const before = await record('cluster-root-key-1');
    t.advance(60_000);
    const rotated = await t.engine.keyLifecycle.rotate(t.admin, KP, keyId(t, 'cluster-root-key-1'));
    const version = rotated.versions.at(-1)?.id;
    expect(rotated.versions).toHaveLength(2);
    expect(Date.parse(rotated.lastUpdateDate)).toBeGreaterThan(
      Date.parse(before?.lastUpdateDate ?? '') + 59_000,
    );
    expect(await messages('key', rotated.id, 'key.rotate')).toEqual([
      `Rotated root key cluster-root-key-1: new version ${version}.`,
    ]);
    await t.engine.controller.settled(PROD);
    await t.engine.controller.settled(STAGING);
  });

  it('waits while a cluster that uses the key is re-encrypting, naming it', async () => {
    const job = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(STAGING));
    const running = { ...job?.value, state: 'running' } as JobRecord;
    await t.engine.ctx.store.txn(
      [],
      [{ type: 'put', key: StoreKey.job(STAGING), value: json(running) }],
    );
    // An hour after the last rotation, so that only the running job stands in the way.
    t.advance(3600_000);
    try {
      const err = await engineRefusal(
        t.engine.keyLifecycle.rotate(t.admin, KP, keyId(t, 'cluster-root-key-1')),
      );
      expect(err).toMatchObject({
        status: 409,
        code: 'ENABLEMENT_IN_PROGRESS',
        message:
          'Cluster staging-us-south is still re-encrypting; rotate after its master is Ready.',
      });
      expect((await record('cluster-root-key-1'))?.versions).toHaveLength(2);
    } finally {
      await t.engine.ctx.store.txn(
        [],
        [{ type: 'put', key: StoreKey.job(STAGING), value: json(job?.value) }],
      );
    }
  });
});

describe('disabling and enabling a root key', () => {
  it('says so on the key and on every cluster that uses it, and refuses twice', async () => {
    const id = keyId(t, 'cluster-root-key-1');
    const disabled = await t.engine.keyLifecycle.setEnabled(t.admin, KP, id, false);
    expect(disabled.state).toBe(KeyState.Suspended);
    expect(await messages('key', id, 'key.disable')).toEqual([
      'Disabled root key cluster-root-key-1.',
    ]);
    for (const cluster of [PROD, STAGING])
      expect(await messages('cluster', cluster, 'key.disable')).toEqual([
        'Root key cluster-root-key-1 was disabled: secrets cannot be read.',
      ]);
    const again = await engineRefusal(t.engine.keyLifecycle.setEnabled(t.admin, KP, id, false));
    expect(again).toMatchObject({
      code: 'KEY_STATE_CONFLICT',
      message: 'Root key cluster-root-key-1 is disabled; it cannot be disabled now.',
    });
    const enabled = await t.engine.keyLifecycle.setEnabled(t.admin, KP, id, true);
    expect(enabled.state).toBe(KeyState.Active);
    expect(await messages('key', id, 'key.enable')).toEqual([
      'Enabled root key cluster-root-key-1.',
    ]);
    expect(await messages('cluster', PROD, 'key.enable')).toEqual([
      'Root key cluster-root-key-1 was enabled: secrets can be read again.',
    ]);
    const active = await engineRefusal(t.engine.keyLifecycle.setEnabled(t.admin, KP, id, true));
    expect(active.message).toBe('Root key cluster-root-key-1 is active; it cannot be enabled now.');
  });
});

describe('deleting a root key', () => {
  it('deletes an unused key without force, once', async () => {
    const id = keyId(t, 'cluster-root-key-3');
    const deleted = await t.engine.keyLifecycle.delete(t.admin, KP, id, false);
    expect(deleted.state).toBe(KeyState.Destroyed);
    expect(await messages('key', id, 'key.delete')).toEqual([
      'Deleted root key cluster-root-key-3.',
    ]);
    const again = await engineRefusal(t.engine.keyLifecycle.delete(t.admin, KP, id, true));
    expect(again).toMatchObject({
      code: 'KEY_DESTROYED',
      message: 'Root key cluster-root-key-3 was already deleted.',
    });
  });

  it('names the clusters a key in use would break, and deletes it only with force', async () => {
    const id = keyId(t, 'cluster-root-key-1');
    const err = await engineRefusal(t.engine.keyLifecycle.delete(t.admin, KP, id, false));
    expect(err).toMatchObject({
      status: 409,
      code: 'KEY_IN_USE',
      message:
        'Root key cluster-root-key-1 is used by prod-us-south, staging-us-south. Deleting it makes those clusters unusable and their data unrecoverable; pass force=true to delete anyway.',
      details: {
        clusters: [
          { id: PROD, name: 'prod-us-south' },
          { id: STAGING, name: 'staging-us-south' },
        ],
      },
    });
    expect((await record('cluster-root-key-1'))?.state).toBe(KeyState.Active);
    await t.engine.keyLifecycle.delete(t.admin, KP, id, true);
    expect(await messages('key', id, 'key.delete')).toEqual([
      'Deleted root key cluster-root-key-1 (forced).',
    ]);
    const [entry] = (await t.engine.activity.list('cluster', PROD)).filter(
      (e) => e.action === 'key.delete',
    );
    expect(entry).toMatchObject({
      result: 'failure',
      message: "Root key cluster-root-key-1 was deleted: the cluster's secrets are unrecoverable.",
    });
  });
});

describe('what a root-key change needs and records', () => {
  it('needs Writer to rotate and Manager to disable, enable or delete', async () => {
    const id = keyId(t, 'cluster-root-key-2');
    expect((await engineRefusal(t.engine.keyLifecycle.rotate(t.viewer, KP, id))).message).toBe(
      'You need the Writer service role on KMS instance kp-us-south.',
    );
    for (const change of [
      t.engine.keyLifecycle.setEnabled(t.viewer, KP, id, false),
      t.engine.keyLifecycle.delete(t.viewer, KP, id, true),
    ])
      expect((await engineRefusal(change)).message).toBe(
        'You need the Manager service role on KMS instance kp-us-south.',
      );
  });

  it('records each change as its actor’s success, on the key and on the clusters using it', async () => {
    const changes = ['key.rotate', 'key.disable', 'key.enable', 'key.delete'];
    const entries = [
      ...(await t.engine.activity.list('key', keyId(t, 'cluster-root-key-1'))),
      ...(await t.engine.activity.list('cluster', STAGING)),
    ].filter((e) => changes.includes(e.action) && e.message.includes('cluster-root-key-1'));
    const summary = new Set(entries.map((e) => `${e.action} ${e.actor} ${e.result}`));
    expect([...summary].sort()).toEqual([
      'key.delete admin failure',
      'key.delete admin success',
      'key.disable admin success',
      'key.enable admin success',
      'key.rotate admin success',
    ]);
  });
});
