import { accessPolicyShape, type AccessPolicyRequest } from '@keyhaven/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, engineRefusal, makeEngine, type TestEngine } from './helpers.ts';

/**
 * Issue 28: an Administrator adds, grants and removes the account's users (IAM's users and
 * access policies), so that dual authorization has a second Manager; the account always keeps
 * an Administrator.
 */
let t: TestEngine;
beforeAll(async () => {
  t = await makeEngine({ secrets: 0 });
});
afterAll(() => t.close());

const policy = (
  userId: string,
  service: 'kms' | 'containers-kubernetes',
  role: string,
  resource?: string,
) => accessPolicyShape(userId, service, role, resource) as AccessPolicyRequest;

const login = async (username: string, password = PASSWORD) =>
  t.engine.iam.authenticate(
    `Bearer ${(await t.engine.iam.token({ grant_type: 'password', username, password })).access_token}`,
  );

describe('bearer tokens', () => {
  it('are checked once, yet still end at their expiry, and a forged one never passes', async () => {
    const { access_token: token } = await t.engine.iam.token({
      grant_type: 'password',
      username: 'viewer',
      password: PASSWORD,
    });
    const bearer = `Bearer ${token}`;
    // The second use is served from the checked tokens: same principal.
    expect((await t.engine.iam.authenticate(bearer)).username).toBe('viewer');
    expect((await t.engine.iam.authenticate(bearer)).username).toBe('viewer');
    const [header, payload] = token.split('.');
    const forged = `Bearer ${header}.${payload}.${'A'.repeat(43)}`;
    await expect(t.engine.iam.authenticate(forged)).rejects.toMatchObject({ status: 401 });
    t.advance(3601 * 1000);
    await expect(t.engine.iam.authenticate(bearer)).rejects.toMatchObject({
      status: 401,
      message: 'The token has expired.',
    });
  });
});

describe('the account’s users', () => {
  it('lists the demo’s people, not plug-in identities, for Administrators only', async () => {
    const users = await t.engine.users.list(t.admin);
    expect(users.map((u) => u.username)).toEqual(['admin', 'approver', 'viewer']);
    expect(users.find((u) => u.username === 'admin')?.administrator).toBe(true);
    expect(users.find((u) => u.username === 'approver')?.administrator).toBe(false);
    for (const call of [
      t.engine.users.list(t.viewer),
      t.engine.users.list(t.approver),
      t.engine.users.create(t.approver, { username: 'eve', password: 'a-long-password' }),
      t.engine.users.policies(t.viewer),
    ])
      expect(await engineRefusal(call)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('invites a user who logs in with no roles, gains a Manager role, and authorizes a deletion', async () => {
    const made = await t.engine.users.create(t.admin, {
      username: 'second-manager',
      password: 'correct-horse-battery',
    });
    expect(made).toMatchObject({
      username: 'second-manager',
      accountId: t.admin.accountId,
      platformRoles: [],
      serviceRoles: [],
      administrator: false,
      createdBy: 'admin',
    });
    expect(
      await engineRefusal(
        t.engine.users.create(t.admin, {
          username: 'Second-Manager',
          password: 'another-password',
        }),
      ),
    ).toMatchObject({ status: 409, code: 'USERNAME_TAKEN' });
    const fresh = await login('second-manager', 'correct-horse-battery');
    expect(await engineRefusal(t.engine.keys.list(fresh, 'kp-us-south'))).toMatchObject({
      status: 403,
    });
    const granted = await t.engine.users.grant(
      t.admin,
      policy(made.id, 'kms', 'Manager', 'kp-us-south'),
    );
    expect(granted).toMatchObject({
      type: 'access',
      roles: [{ role_id: 'Manager' }],
      resources: [
        {
          attributes: [
            { name: 'serviceName', value: 'kms' },
            { name: 'serviceInstance', value: 'kp-us-south' },
          ],
        },
      ],
    });
    // The grant applies to the user's next call, with the token they already hold.
    const bearer = `Bearer ${(await t.engine.iam.token({ grant_type: 'password', username: 'second-manager', password: 'correct-horse-battery' })).access_token}`;
    const manager = await t.engine.iam.authenticate(bearer);
    const key = await t.engine.keys.create(t.admin, 'kp-us-south', { name: 'two-people' });
    await t.engine.keyPolicies.setKeyDualAuth(t.admin, 'kp-us-south', key.id, { enabled: true });
    await t.engine.deletionAuthorizations.authorize(t.admin, 'kp-us-south', key.id);
    const deleted = await t.engine.keyLifecycle.delete(manager, 'kp-us-south', key.id, false);
    expect(deleted.state).toBe(5);
    // Another grant on the same instance replaces the role; revoking takes it away.
    await t.engine.users.grant(t.admin, policy(made.id, 'kms', 'Reader', 'kp-us-south'));
    const mine = await t.engine.users.policies(t.admin, made.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.roles).toEqual([{ role_id: 'Reader' }]);
    await t.engine.users.revoke(t.admin, mine[0]?.id ?? '');
    expect(await t.engine.users.policies(t.admin, made.id)).toEqual([]);
    expect(await engineRefusal(t.engine.users.revoke(t.admin, mine[0]?.id ?? ''))).toMatchObject({
      status: 404,
    });
    // Removed: the token they hold stops working at once, and they cannot log in again.
    await t.engine.users.remove(t.admin, made.id);
    await expect(t.engine.iam.authenticate(bearer)).rejects.toMatchObject({ status: 401 });
    await expect(login('second-manager', 'correct-horse-battery')).rejects.toMatchObject({
      status: 401,
    });
    const activity = await t.engine.activity.list('account', t.admin.accountId);
    expect(activity.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        'Invited second-manager to the account.',
        'Granted second-manager Manager on KMS instance kp-us-south.',
        'Removed second-manager from the account.',
      ]),
    );
  });

  it('grants only resources of the account, each kind its own roles', async () => {
    const [viewer] = (await t.engine.users.list(t.admin)).filter((u) => u.username === 'viewer');
    const id = viewer?.id ?? '';
    expect(
      await engineRefusal(
        t.engine.users.grant(t.admin, policy(id, 'kms', 'Manager', 'partner-key-protect')),
      ),
    ).toMatchObject({ status: 404 });
    expect(
      await engineRefusal(
        t.engine.users.grant(
          t.admin,
          policy(id, 'containers-kubernetes', 'Editor', 'no-such-cluster'),
        ),
      ),
    ).toMatchObject({ status: 404 });
    expect(
      await engineRefusal(t.engine.users.grant(t.admin, policy('user-nobody', 'kms', 'Reader'))),
    ).toMatchObject({ status: 404 });
    const all = await t.engine.users.grant(
      t.admin,
      policy(id, 'containers-kubernetes', 'Operator'),
    );
    expect(all.resources[0]?.attributes).toEqual([
      { name: 'serviceName', value: 'containers-kubernetes' },
    ]);
    const after = (await t.engine.users.list(t.admin)).find((u) => u.id === id);
    expect(after?.platformRoles).toEqual([{ clusterId: '*', role: 'Operator' }]);
  });

  it('never leaves the account without an Administrator', async () => {
    const admin = (await t.engine.users.list(t.admin)).find((u) => u.username === 'admin');
    const adminId = admin?.id ?? '';
    expect(await engineRefusal(t.engine.users.remove(t.admin, adminId))).toMatchObject({
      status: 409,
      code: 'LAST_ADMINISTRATOR',
    });
    expect(
      await engineRefusal(
        t.engine.users.grant(t.admin, policy(adminId, 'containers-kubernetes', 'Editor')),
      ),
    ).toMatchObject({ status: 409, code: 'LAST_ADMINISTRATOR' });
    const adminPolicy = (await t.engine.users.policies(t.admin, adminId)).find(
      (p) => p.roles[0]?.role_id === 'Administrator',
    );
    expect(
      await engineRefusal(t.engine.users.revoke(t.admin, adminPolicy?.id ?? '')),
    ).toMatchObject({
      status: 409,
      code: 'LAST_ADMINISTRATOR',
    });
    // With a second Administrator, either may go, but not both at once.
    const other = await t.engine.users.create(t.admin, {
      username: 'admin-two',
      password: 'admin-two-password',
    });
    await t.engine.users.grant(t.admin, policy(other.id, 'containers-kubernetes', 'Administrator'));
    const two = await login('admin-two', 'admin-two-password');
    const results = await Promise.allSettled([
      t.engine.users.remove(t.admin, other.id),
      t.engine.users.remove(two, adminId),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const admins = (
      await t.engine.users.list(results[0]?.status === 'fulfilled' ? t.admin : two)
    ).filter((u) => u.administrator);
    expect(admins).toHaveLength(1);
  });
});
