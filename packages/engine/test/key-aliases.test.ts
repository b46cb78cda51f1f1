import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRefusal, keyId, makeEngine, type TestEngine } from './helpers.ts';

/**
 * Issue 28: Key Protect's key aliases: up to 5 per key, unique in the instance, and usable
 * wherever the key's id is (the keys API and Enable's root key).
 */
let t: TestEngine;
const KP = 'kp-us-south';
beforeAll(async () => {
  t = await makeEngine({ secrets: 5 });
});
afterAll(() => t.close());

describe('a root key’s aliases', () => {
  it('name the key wherever its id does: reads, actions and Enable', async () => {
    const id = keyId(t, 'cluster-root-key-1');
    const made = await t.engine.keyAliases.create(t.admin, KP, id, 'payments-root');
    expect(made).toMatchObject({ keyId: id, alias: 'payments-root', createdBy: 'admin' });
    const { key } = await t.engine.keys.keyIn(t.admin, KP, 'payments-root', 'Reader');
    expect(key.id).toBe(id);
    expect((await t.engine.keys.view(key)).aliases).toEqual(['payments-root']);
    expect(
      (await t.engine.activity.list('key', id)).find((e) => e.action === 'key.alias'),
    ).toMatchObject({
      actor: 'admin',
      result: 'success',
      message: 'Added the alias payments-root to root key cluster-root-key-1.',
    });
    await t.engine.controller.enable(t.admin, {
      cluster: 'c-dev-us-east',
      instance_id: KP,
      crk_id: 'payments-root',
      private_endpoint: true,
    });
    await t.engine.controller.settled('c-dev-us-east');
    expect((await t.engine.clusters.get(t.admin, 'c-dev-us-east')).kms?.crkId).toBe(id);
    // Another instance does not know it.
    expect(
      await engineRefusal(t.engine.keys.keyIn(t.admin, 'hpcs-us-south', 'payments-root', 'Reader')),
    ).toMatchObject({ status: 404 });
  });

  it('are unique in the instance, at most 5 per key, and removed by name', async () => {
    const id = keyId(t, 'cluster-root-key-2');
    const other = keyId(t, 'cluster-root-key-3');
    expect(
      await engineRefusal(t.engine.keyAliases.create(t.admin, KP, other, 'payments-root')),
    ).toMatchObject({
      status: 409,
      code: 'ALIAS_IN_USE',
      message: 'payments-root already names a root key of this instance.',
    });
    for (const n of [1, 2, 3, 4, 5]) await t.engine.keyAliases.create(t.admin, KP, id, `k2-${n}`);
    expect(await engineRefusal(t.engine.keyAliases.create(t.admin, KP, id, 'k2-6'))).toMatchObject({
      status: 409,
      code: 'ALIAS_LIMIT',
      message: 'Root key cluster-root-key-2 has 5 aliases, the most it may have; remove one first.',
    });
    await t.engine.keyAliases.delete(t.admin, KP, 'k2-1', 'k2-3');
    const key = await t.engine.keys.record(id);
    expect(key.aliases?.map((a) => a.alias)).toEqual(['k2-1', 'k2-2', 'k2-4', 'k2-5']);
    expect(await engineRefusal(t.engine.keys.keyIn(t.admin, KP, 'k2-3', 'Reader'))).toMatchObject({
      status: 404,
    });
    // Freed, the alias may name another key.
    await t.engine.keyAliases.create(t.admin, KP, other, 'k2-3');
    expect((await t.engine.keys.keyIn(t.admin, KP, 'k2-3', 'Reader')).key.id).toBe(other);
    expect(
      await engineRefusal(t.engine.keyAliases.delete(t.admin, KP, id, 'never-made')),
    ).toMatchObject({ status: 404 });
  });

  it('need Writer, and a key that was not deleted', async () => {
    const id = keyId(t, 'cluster-root-key-3');
    expect(
      (await engineRefusal(t.engine.keyAliases.create(t.viewer, KP, id, 'viewer-alias'))).message,
    ).toBe('You need the Writer service role on KMS instance kp-us-south.');
    const doomed = await t.engine.keys.create(t.admin, KP, { name: 'doomed' });
    await t.engine.keyLifecycle.delete(t.admin, KP, doomed.id, false);
    expect(
      await engineRefusal(t.engine.keyAliases.create(t.admin, KP, doomed.id, 'too-late')),
    ).toMatchObject({
      status: 409,
      code: 'KEY_DESTROYED',
      message: 'Root key doomed was deleted; it takes no alias.',
    });
  });

  it('go to one key when two requests race for the same alias', async () => {
    const [a, b] = await Promise.all(
      ['race-a', 'race-b'].map((name) => t.engine.keys.create(t.admin, KP, { name })),
    );
    const results = await Promise.allSettled(
      [a, b].map((key) => t.engine.keyAliases.create(t.admin, KP, key?.id ?? '', 'contested')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [refused] = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toMatchObject({
      status: 409,
      code: expect.stringMatching(/^(ALIAS_IN_USE|CONCURRENT_CHANGE)$/),
    });
    const holder = (await t.engine.keys.keyIn(t.admin, KP, 'contested', 'Reader')).key;
    const other = holder.id === a?.id ? b : a;
    expect((await t.engine.keys.record(other?.id ?? '')).aliases ?? []).toEqual([]);
  });
});
