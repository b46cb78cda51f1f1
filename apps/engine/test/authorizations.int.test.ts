import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { AuthorizationPolicy, AuthorizationPolicyList, Cluster } from '@keyhaven/contracts';
import { StoreKey } from '@keyhaven/engine';
import { PASSWORD } from '../../../packages/engine/test/helpers.ts';
import { hashPassword } from '../../../packages/engine/src/domain/iam.ts';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

let e: EngineServer;
let admin: string;
let viewer: string;
let partner: string;

const PARTNER_INSTANCE = 'kp-partner-eu-de';
const STAGING = 'c-staging-us-south';

const token = (username: string) => passwordToken(e.url, username);

const as = (bearer: string) => ({ Authorization: `Bearer ${bearer}` });

const policies = async (bearer: string) =>
  AuthorizationPolicyList.parse(
    (await request(e.url).get('/identity/authorizations').set(as(bearer)).expect(200)).body,
  );

const partnerPolicy = async () =>
  (await policies(partner)).find((p) => p.target.instanceId === PARTNER_INSTANCE);

const grantPartner = () =>
  request(e.url)
    .post('/identity/authorizations')
    .set(as(partner))
    .send({
      source: { accountId: 'acct-demo', serviceName: 'containers-kubernetes' },
      target: { serviceName: 'key-protect', instanceId: PARTNER_INSTANCE },
      roles: ['Reader'],
    });

const enableCrossAccount = async () => {
  const keys = await request(e.url)
    .get('/api/v2/keys')
    .set({ ...as(admin), 'Bluemix-Instance': PARTNER_INSTANCE })
    .expect(200);
  return request(e.url).post('/v2/enableKMS').set(as(admin)).send({
    cluster: STAGING,
    instance_id: PARTNER_INSTANCE,
    crk_id: keys.body.resources[0].id,
    account_id: 'acct-partner',
  });
};

const cluster = async (id: string) =>
  Cluster.parse((await request(e.url).get(`/v2/clusters/${id}`).set(as(admin)).expect(200)).body);

async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await check()).toBe(true);
}

beforeAll(async () => {
  e = await startEngineServer({ secrets: 30 });
  admin = await token('admin');
  viewer = await token('viewer');
  // An administrator of the partner account, which owns the cross-account KMS instance.
  await e.t.engine.ctx.store.txn(
    [],
    [
      {
        type: 'put',
        key: StoreKey.user('user-partner-admin'),
        value: Buffer.from(
          JSON.stringify({
            id: 'user-partner-admin',
            username: 'partner-admin',
            accountId: 'acct-partner',
            passwordHash: await hashPassword(PASSWORD),
            apiKeys: [],
            platformRoles: [{ clusterId: '*', role: 'Administrator' }],
            serviceRoles: [{ instanceId: PARTNER_INSTANCE, role: 'Manager' }],
          }),
        ),
      },
    ],
  );
  partner = await token('partner-admin');
});
afterAll(async () => {
  await e.close();
});

describe('service-to-service authorizations (seed 003, R10, R11)', () => {
  it('refuses cross-account enablement without the partner’s authorization and accepts it with one', async () => {
    const seeded = await partnerPolicy();
    expect(seeded).toMatchObject({
      source: { accountId: 'acct-demo', serviceName: 'containers-kubernetes' },
      target: { accountId: 'acct-partner', instanceName: 'partner-key-protect' },
      roles: ['Reader'],
    });
    await request(e.url)
      .delete(`/identity/authorizations/${seeded?.id}`)
      .set(as(partner))
      .expect(204);

    const refused = await enableCrossAccount();
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('AUTHORIZATION_MISSING');
    expect(refused.body.message).toMatch(/administrator of account acct-partner must create/);
    expect((await cluster(STAGING)).kms).toBeNull();

    const granted = await grantPartner();
    expect(granted.status).toBe(201);
    expect(AuthorizationPolicy.parse(granted.body).target.accountId).toBe('acct-partner');
    expect((await enableCrossAccount()).status).toBe(202);
    await e.t.engine.controller.settled(STAGING);
    expect(await cluster(STAGING)).toMatchObject({
      masterStatus: 'Ready',
      kms: { instanceId: PARTNER_INSTANCE, accountId: 'acct-partner' },
    });
  });

  it('turns a cluster that relies on a deleted authorization to warning, and back to Ready', async () => {
    const policy = await partnerPolicy();
    expect(policy?.dependents).toEqual([]); // the partner sees none of the demo account's clusters
    const own = (await policies(admin)).find((p) => p.id === policy?.id);
    expect(own?.dependents).toEqual([{ id: STAGING, name: 'staging-us-south' }]);

    await request(e.url)
      .delete(`/identity/authorizations/${policy?.id}`)
      .set(as(partner))
      .expect(204);
    await until(async () => (await cluster(STAGING)).masterHealth === 'warning');
    expect((await cluster(STAGING)).masterStatus).toBe(
      "Kubernetes Service is no longer authorized to use partner-key-protect: an administrator of the instance's account must authorize it again (Authorizations).",
    );
    // The cluster's own activity says why, in its own account's audit log.
    const [deleted] = await e.t.engine.activity.list('cluster', STAGING);
    expect(deleted).toMatchObject({
      action: 'authorization.delete',
      actor: 'partner-admin',
      accountId: 'acct-demo',
    });
    expect(deleted?.message).toMatch(/can no longer use its root key/);
    expect((await grantPartner()).status).toBe(201);
    await until(async () => (await cluster(STAGING)).masterStatus === 'Ready');
  });

  it('creates the Reader authorization in the cluster’s own account once, recorded in Activity', async () => {
    const ownAccount = async () =>
      (await policies(admin)).filter((p) => p.target.instanceId === 'kp-us-south');
    expect(await ownAccount()).toEqual([]);
    for (const [clusterId, key] of [
      ['c-dev-us-east', 'cluster-root-key-1'],
      ['c-prod-us-south', 'cluster-root-key-2'],
    ] as const) {
      await request(e.url)
        .post('/v2/enableKMS')
        .set(as(admin))
        .send({ cluster: clusterId, instance_id: 'kp-us-south', crk_id: e.t.keys.get(key) })
        .expect(202);
      await e.t.engine.controller.settled(clusterId);
    }
    const [created, ...more] = await ownAccount();
    expect(more).toEqual([]);
    expect(created).toMatchObject({ createdBy: 'admin', roles: ['Reader'], delegation: false });
    expect(created?.dependents.map((d) => d.name).sort()).toEqual(['dev-us-east', 'prod-us-south']);
    const activity = await e.t.engine.activity.list('instance', 'kp-us-south');
    expect(activity.filter((a) => a.action === 'authorization.create')).toHaveLength(1);
  });

  it.each([
    [
      'no roles',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'key-protect' },
        roles: [],
      },
      400,
    ],
    [
      'roles without Reader',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'key-protect' },
        roles: ['Writer'],
      },
      400,
    ],
    [
      'an unknown source service',
      'admin',
      {
        source: { serviceName: 'cloud-object-storage' },
        target: { serviceName: 'key-protect' },
        roles: ['Reader'],
      },
      400,
    ],
    [
      'an instance of the other service',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'hyper-protect-crypto-services', instanceId: 'kp-us-south' },
        roles: ['Reader'],
      },
      400,
    ],
    [
      'an unknown instance',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'key-protect', instanceId: 'kp-nowhere' },
        roles: ['Reader'],
      },
      404,
    ],
    [
      'a duplicate',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'key-protect', instanceId: 'kp-us-south' },
        roles: ['Reader'],
      },
      409,
    ],
    [
      'a viewer',
      'viewer',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'key-protect' },
        roles: ['Reader'],
      },
      403,
    ],
    [
      // The same answer as for an unknown instance: whether it exists is not told (issue 25).
      'another account’s instance',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes' },
        target: { serviceName: 'key-protect', instanceId: PARTNER_INSTANCE },
        roles: ['Reader', 'Writer'],
      },
      404,
    ],
    [
      'a source account that does not exist',
      'admin',
      {
        source: { serviceName: 'containers-kubernetes', accountId: 'acct-nowhere' },
        target: { serviceName: 'key-protect', instanceId: 'kp-us-south' },
        roles: ['Reader'],
      },
      400,
    ],
  ])(
    'refuses %s with a 4xx naming the problem and changes nothing',
    async (_name, who, body, status) => {
      const bearer = who === 'viewer' ? viewer : admin;
      const before = await e.t.engine.ctx.store.range('/keyhaven/', { limit: 100_000 });
      const res = await request(e.url).post('/identity/authorizations').set(as(bearer)).send(body);
      expect(res.status).toBe(status);
      expect(typeof res.body.message).toBe('string');
      if (status === 403) expect(res.body.message).toContain('Administrator');
      const after = await e.t.engine.ctx.store.range('/keyhaven/', { limit: 100_000 });
      expect(after.kvs.map((kv) => [kv.key, kv.modRevision])).toEqual(
        before.kvs.map((kv) => [kv.key, kv.modRevision]),
      );
    },
  );

  it('limits "*" grants to the user’s own account (an administrator of another account sees nothing here)', async () => {
    const clusters = await request(e.url).get('/v2/clusters').set(as(partner)).expect(200);
    expect(clusters.body).toEqual([]);
    const instances = await request(e.url).get('/v2/kms/instances').set(as(partner)).expect(200);
    expect(instances.body.instances.map((i: { id: string }) => i.id)).toEqual([PARTNER_INSTANCE]);
    await request(e.url).get(`/v2/clusters/${STAGING}/secrets`).set(as(partner)).expect(403);
    await request(e.url)
      .get('/api/v2/keys')
      .set({ ...as(partner), 'Bluemix-Instance': 'kp-us-south' })
      .expect(403);
  });

  it('refuses deleting an unknown authorization (404) or one the caller may not manage (403)', async () => {
    await request(e.url)
      .delete('/identity/authorizations/no-such-policy')
      .set(as(admin))
      .expect(404);
    const policy = await partnerPolicy();
    const res = await request(e.url)
      .delete(`/identity/authorizations/${policy?.id}`)
      .set(as(admin))
      .expect(403);
    expect(res.body.message).toContain('Administrator');
    expect(await partnerPolicy()).toBeDefined();
  });
});
