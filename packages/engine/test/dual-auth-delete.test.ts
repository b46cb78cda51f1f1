import { KeyState } from '@keyhaven/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';

/**
 * Issue 28: Key Protect's dual authorization to delete. One Manager authorizes, another
 * deletes within 7 days; the same user cannot do both, a lapsed authorization deletes nothing,
 * and the policy cannot be turned off once on. The engine's clock moves in the test.
 */
let t: TestEngine;
const KP = 'kp-us-south';
const DAY = 24 * 3600 * 1000;
beforeAll(async () => {
  t = await makeEngine({ secrets: 0 });
});
afterAll(() => t.close());

const messages = async (id: string, action: string) =>
  (await t.engine.activity.list('key', id))
    .filter((e) => e.action === action)
    .map((e) => e.message);

/** A fresh key with dual authorization to delete turned on. */
async function guardedKey(name: string) {
  const key = await t.engine.keys.create(t.admin, KP, { name });
  await t.engine.keyPolicies.setKeyDualAuth(t.admin, KP, key.id, { enabled: true });
  return key;
}
const view = async (id: string) => t.engine.keys.view(await t.engine.keys.record(id));

describe('dual authorization to delete', () => {
  it('takes a second Manager: the one who authorized cannot delete, another can', async () => {
    const key = await guardedKey('two-person');
    expect(await messages(key.id, 'key.policy')).toEqual([
      'Turned on dual authorization to delete root key two-person: deleting it takes two Managers.',
    ]);
    expect(
      await engineRefusal(t.engine.keyLifecycle.delete(t.admin, KP, key.id, false)),
    ).toMatchObject({
      status: 409,
      code: 'DELETION_NOT_AUTHORIZED',
      message:
        'Root key two-person needs two Managers to delete: another Manager must first authorize its deletion (setKeyForDeletion).',
    });

    const before = t.engine.ctx.clock.now().getTime();
    await t.engine.deletionAuthorizations.authorize(t.admin, KP, key.id);
    const pending = await view(key.id);
    expect(pending.state).toBe(KeyState.Active);
    expect(pending.dualAuthDelete).toMatchObject({
      enabled: true,
      keySetForDeletion: true,
      authorizedBy: 'admin',
    });
    const lapsesIn = Date.parse(pending.dualAuthDelete?.authExpiration ?? '') - before;
    expect(lapsesIn).toBeGreaterThanOrEqual(7 * DAY);
    expect(lapsesIn).toBeLessThan(7 * DAY + 60_000);
    const [entry] = (await t.engine.activity.list('key', key.id)).filter(
      (e) => e.action === 'key.authorize-deletion',
    );
    expect(entry).toMatchObject({
      actor: 'admin',
      result: 'success',
      target: { kind: 'key', id: key.id },
      message: `Authorized the deletion of root key two-person: another Manager may delete it until ${pending.dualAuthDelete?.authExpiration}.`,
    });
    expect(
      await engineRefusal(t.engine.deletionAuthorizations.authorize(t.approver, KP, key.id)),
    ).toMatchObject({
      status: 409,
      code: 'DELETION_ALREADY_AUTHORIZED',
      message: `admin already authorized the deletion of root key two-person, until ${pending.dualAuthDelete?.authExpiration}.`,
    });

    expect(
      await engineRefusal(t.engine.keyLifecycle.delete(t.admin, KP, key.id, false)),
    ).toMatchObject({
      status: 403,
      code: 'SAME_AUTHORIZER',
      message:
        'You authorized the deletion of root key two-person; another Manager must delete it.',
    });
    t.advance(6 * DAY);
    const deleted = await t.engine.keyLifecycle.delete(t.approver, KP, key.id, false);
    expect(deleted.state).toBe(KeyState.Destroyed);
    expect(await messages(key.id, 'key.delete')).toEqual(['Deleted root key two-person.']);
    expect(
      await engineRefusal(t.engine.deletionAuthorizations.authorize(t.admin, KP, key.id)),
    ).toMatchObject({
      status: 409,
      code: 'KEY_DESTROYED',
      message: 'Root key two-person was already deleted.',
    });
  });

  it('lapses after 7 days: the delete is refused and the key shows the authorization lapsed', async () => {
    const key = await guardedKey('lapses');
    await t.engine.deletionAuthorizations.authorize(t.admin, KP, key.id);
    const until = (await view(key.id)).dualAuthDelete?.authExpiration;
    t.advance(7 * DAY + 1_000);
    expect(
      await engineRefusal(t.engine.keyLifecycle.delete(t.approver, KP, key.id, false)),
    ).toMatchObject({
      status: 409,
      code: 'DELETION_AUTHORIZATION_LAPSED',
      message: `The authorization to delete root key lapses lapsed on ${until}: a Manager must authorize it again.`,
    });
    expect((await view(key.id)).dualAuthDelete).toMatchObject({
      enabled: true,
      keySetForDeletion: false,
      lapsed: true,
    });
    // Authorized again, it may be deleted.
    await t.engine.deletionAuthorizations.authorize(t.approver, KP, key.id);
    expect((await view(key.id)).dualAuthDelete).not.toHaveProperty('lapsed');
    await t.engine.keyLifecycle.delete(t.admin, KP, key.id, false);
  });

  it('may be cancelled, and then nothing is left to cancel', async () => {
    const key = await guardedKey('cancelled');
    await t.engine.deletionAuthorizations.authorize(t.admin, KP, key.id);
    await t.engine.deletionAuthorizations.cancel(t.admin, KP, key.id);
    expect((await view(key.id)).dualAuthDelete).toEqual({
      enabled: true,
      keySetForDeletion: false,
    });
    const [entry] = (await t.engine.activity.list('key', key.id)).filter(
      (e) => e.action === 'key.cancel-deletion',
    );
    expect(entry).toMatchObject({
      actor: 'admin',
      result: 'success',
      message: 'Cancelled the authorization to delete root key cancelled.',
    });
    expect(
      await engineRefusal(t.engine.deletionAuthorizations.cancel(t.admin, KP, key.id)),
    ).toMatchObject({
      status: 409,
      code: 'DELETION_NOT_AUTHORIZED',
      message: 'Nobody authorized the deletion of root key cancelled; there is nothing to cancel.',
    });
    expect(
      (await engineRefusal(t.engine.deletionAuthorizations.cancel(t.viewer, KP, key.id))).message,
    ).toBe('You need the Manager service role on KMS instance kp-us-south.');
    expect(
      await engineRefusal(t.engine.keyLifecycle.delete(t.approver, KP, key.id, false)),
    ).toMatchObject({ code: 'DELETION_NOT_AUTHORIZED' });
  });

  it('cannot be turned off once on, and is refused where it is not on', async () => {
    const key = await guardedKey('locked');
    // Turning it on again changes nothing; Key Protect lists it beside the key's other policies.
    const again = await t.engine.keyPolicies.setKeyDualAuth(t.admin, KP, key.id, { enabled: true });
    expect(t.engine.keyPolicies.keyPolicies(again)).toEqual([
      expect.objectContaining({
        type: 'application/vnd.ibm.kms.policy+json',
        createdBy: 'admin',
        dualAuthDelete: { enabled: true },
      }),
    ]);
    const [entry] = (await t.engine.activity.list('key', key.id)).filter(
      (e) => e.action === 'key.policy',
    );
    expect(entry).toMatchObject({ actor: 'admin', result: 'success' });
    expect(
      await engineRefusal(
        t.engine.keyPolicies.setKeyDualAuth(t.admin, KP, key.id, { enabled: false }),
      ),
    ).toMatchObject({
      status: 409,
      code: 'POLICY_LOCKED',
      message:
        'Dual authorization to delete root key locked is on; once on, it cannot be turned off.',
    });
    const plain = await t.engine.keys.create(t.admin, KP, { name: 'plain' });
    expect((await view(plain.id)).dualAuthDelete).toBeUndefined();
    expect(
      await engineRefusal(t.engine.deletionAuthorizations.authorize(t.admin, KP, plain.id)),
    ).toMatchObject({
      status: 409,
      code: 'DUAL_AUTH_NOT_ENABLED',
      message: 'Root key plain has no dual-authorization policy: a Manager deletes it alone.',
    });
    await t.engine.keyPolicies.setKeyDualAuth(t.admin, KP, plain.id, { enabled: false });
    expect(await messages(plain.id, 'key.policy')).toEqual([
      'Left dual authorization to delete root key plain off.',
    ]);
    expect(
      await engineRefusal(t.engine.deletionAuthorizations.authorize(t.admin, KP, plain.id)),
    ).toMatchObject({ status: 409, code: 'DUAL_AUTH_NOT_ENABLED' });
    // A viewer can do neither.
    const manager = 'You need the Manager service role on KMS instance kp-us-south.';
    for (const refused of [
      t.engine.deletionAuthorizations.authorize(t.viewer, KP, key.id),
      t.engine.keyPolicies.setKeyDualAuth(t.viewer, KP, key.id, { enabled: true }),
      t.engine.keyPolicies.setInstanceDualAuth(t.viewer, KP, { enabled: true }),
    ])
      expect((await engineRefusal(refused)).message).toBe(manager);
    // A deleted key has no policies to set.
    await t.engine.keyLifecycle.delete(t.admin, KP, plain.id, false);
    expect(
      await engineRefusal(
        t.engine.keyPolicies.setKeyDualAuth(t.admin, KP, plain.id, { enabled: true }),
      ),
    ).toMatchObject({
      status: 409,
      code: 'KEY_DESTROYED',
      message: 'Root key plain was deleted; it has no policies.',
    });
  });

  it('is the default of keys created after the instance policy turns it on', async () => {
    await t.engine.keyPolicies.setInstanceDualAuth(t.admin, KP, { enabled: true });
    const key = await t.engine.keys.create(t.admin, KP, { name: 'born-guarded' });
    expect((await view(key.id)).dualAuthDelete).toEqual({
      enabled: true,
      keySetForDeletion: false,
    });
    expect(await t.engine.keyPolicies.instancePolicies(t.admin, KP)).toEqual([
      expect.objectContaining({ policy_type: 'dualAuthDelete', policy_data: { enabled: true } }),
    ]);
    await t.engine.keyPolicies.setInstanceDualAuth(t.admin, KP, { enabled: false });
    const entries = (await t.engine.activity.list('instance', KP)).map(
      ({ action, actor, result, target, message }) => ({ action, actor, result, target, message }),
    );
    expect(entries.slice(0, 2)).toEqual(
      ['Turned off', 'Turned on'].map((what) => ({
        action: 'instance.policy',
        actor: 'admin',
        result: 'success',
        target: { kind: 'instance', id: KP },
        message: `${what} dual authorization to delete for keys created from now on in KMS instance keyhaven-key-protect.`,
      })),
    );
    const after = await t.engine.keys.create(t.admin, KP, { name: 'born-plain' });
    expect((await view(after.id)).dualAuthDelete).toBeUndefined();
  });
});
