import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Cluster,
  ClusterOverview,
  ClusterRows,
  EnableOptions,
  KmsInstance,
  RootKey,
} from '@keyhaven/contracts';
import { z } from 'zod';
import { keyId } from '../../../packages/engine/test/helpers.ts';
import { startEngineServer, type EngineServer } from '../../engine/test/harness.ts';
import { login, makeBff } from './harness.ts';

let e: EngineServer;
let app: ReturnType<typeof makeBff>;
beforeAll(async () => {
  e = await startEngineServer({ secrets: 10 });
  app = makeBff([e.url]);
});
afterAll(async () => {
  await e.close();
});

describe('BFF clusters', () => {
  it('lists clusters with master status and KMS per row, and one cluster overview', async () => {
    const { agent } = await login(app, 'viewer');
    const rows = ClusterRows.parse((await agent.get('/api/clusters').expect(200)).body);
    expect(rows.map((r) => r.name).sort()).toEqual([
      'dev-us-east',
      'prod-us-south',
      'staging-us-south',
    ]);
    expect(rows.every((r) => r.kmsEnabled === false && r.masterStatus === 'Ready')).toBe(true);
    const overview = ClusterOverview.parse(
      (await agent.get('/api/clusters/c-dev-us-east').expect(200)).body,
    );
    expect(overview).toMatchObject({ cluster: { id: 'c-dev-us-east' }, kms: null });
    const missing = await agent.get('/api/clusters/c-nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/c-nowhere/);
    expect((await agent.get('/api/clusters/..%2Fetc')).status).toBe(400);
  });

  it('offers instances and keys with the reasons they cannot be picked', async () => {
    const { agent } = await login(app);
    const first = EnableOptions.parse(
      (await agent.get('/api/clusters/c-dev-us-east/enable-options').expect(200)).body,
    );
    expect(first.canEnable).toBe(true);
    expect(first.keys).toEqual([]);
    expect(first.instances.map((i) => i.id)).toContain('kp-us-south');
    const options = EnableOptions.parse(
      (await agent.get('/api/clusters/c-dev-us-east/enable-options?instanceId=kp-us-south')).body,
    );
    const byName = new Map(options.keys.map((k) => [k.name, k]));
    expect(byName.get('cluster-root-key-1')).toMatchObject({ selectable: true, reason: null });
    expect(byName.get('disabled-root-key')).toMatchObject({
      selectable: false,
      reason: 'disabled',
      reasonText: 'Disabled',
    });
    expect(byName.get('expiring-root-key')).toMatchObject({ selectable: true, expiresSoon: true });

    const viewer = await login(app, 'viewer');
    const viewerOptions = EnableOptions.parse(
      (await viewer.agent.get('/api/clusters/c-dev-us-east/enable-options?instanceId=kp-us-south'))
        .body,
    );
    expect(viewerOptions.canEnable).toBe(false);
    expect(viewerOptions.keys.find((k) => k.name === 'cluster-root-key-1')).toMatchObject({
      selectable: false,
      reason: 'no-permission',
    });
  });

  it('enables KMS (202), refuses a viewer naming the Administrator role, and bad bodies naming the field', async () => {
    const viewer = await login(app, 'viewer');
    const refused = await viewer.agent
      .post('/api/clusters/c-staging-us-south/kms')
      .set('x-csrf-token', viewer.csrf)
      .send({ instance_id: 'kp-us-south', crk_id: keyId(e.t, 'cluster-root-key-1') });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/Administrator/);

    const { agent, csrf } = await login(app);
    const bad = await agent
      .post('/api/clusters/c-staging-us-south/kms')
      .set('x-csrf-token', csrf)
      .send({ instance_id: 'kp-us-south', crk_id: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/crk_id/);
    const noCsrf = await agent
      .post('/api/clusters/c-staging-us-south/kms')
      .send({ instance_id: 'kp-us-south', crk_id: keyId(e.t, 'cluster-root-key-1') });
    expect(noCsrf.status).toBe(403);
    const disabled = await agent
      .post('/api/clusters/c-staging-us-south/kms')
      .set('x-csrf-token', csrf)
      .send({ instance_id: 'kp-us-south', crk_id: keyId(e.t, 'disabled-root-key') });
    expect(disabled.status).toBe(409);
    expect(disabled.body.code).toBe('ROOT_KEY_DISABLED');
    const untouched = Cluster.parse(
      (await agent.get('/api/clusters/c-staging-us-south').expect(200)).body.cluster,
    );
    expect(untouched.kms).toBeNull();

    const accepted = await agent
      .post('/api/clusters/c-staging-us-south/kms')
      .set('x-csrf-token', csrf)
      .send({ instance_id: 'kp-us-south', crk_id: keyId(e.t, 'cluster-root-key-1') });
    expect(accepted.status).toBe(202);
    expect(Cluster.parse(accepted.body).masterStatus).toMatch(/KMS feature enablement/);
    await e.t.engine.controller.settled('c-staging-us-south');
    const overview = ClusterOverview.parse(
      (await agent.get('/api/clusters/c-staging-us-south').expect(200)).body,
    );
    expect(overview.kms).toMatchObject({
      instanceName: 'keyhaven-key-protect',
      rootKeyName: 'cluster-root-key-1',
      rootKeyState: 1,
      privateEndpoint: true,
    });
  });
});

describe('BFF key management', () => {
  it('lists instances and keys; creates, rotates, disables, enables and deletes a root key', async () => {
    const { agent, csrf } = await login(app);
    const instances = z
      .array(KmsInstance)
      .parse((await agent.get('/api/kms/instances').expect(200)).body);
    expect(instances.map((i) => i.id)).toContain('kp-us-south');
    const base = '/api/kms/instances/kp-us-south/keys';
    const created = RootKey.parse(
      (
        await agent
          .post(base)
          .set('x-csrf-token', csrf)
          .send({ name: 'bff-test-key', expirationDate: '2031-01-01T00:00:00Z' })
          .expect(201)
      ).body,
    );
    expect(created).toMatchObject({ name: 'bff-test-key', state: 1, extractable: false });
    const bad = await agent.post(base).set('x-csrf-token', csrf).send({ name: '!' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/name/);
    for (const action of ['rotate', 'disable', 'enable'])
      await agent
        .post(`${base}/${created.id}/actions/${action}`)
        .set('x-csrf-token', csrf)
        .expect(204);
    expect(
      (await agent.post(`${base}/${created.id}/actions/explode`).set('x-csrf-token', csrf)).status,
    ).toBe(400);
    const keys = z.array(RootKey).parse((await agent.get(base).expect(200)).body);
    expect(keys.find((k) => k.id === created.id)).toMatchObject({ state: 1 });
    const deleted = RootKey.parse(
      (await agent.delete(`${base}/${created.id}`).set('x-csrf-token', csrf).expect(200)).body,
    );
    expect(deleted.state).toBe(5);

    // A key in use is refused without force, naming the cluster.
    const inUse = await agent
      .delete(`${base}/${keyId(e.t, 'cluster-root-key-1')}`)
      .set('x-csrf-token', csrf);
    expect(inUse.status).toBe(409);
    expect(inUse.body.message).toMatch(/staging-us-south/);

    const viewer = await login(app, 'viewer');
    const denied = await viewer.agent
      .post(base)
      .set('x-csrf-token', viewer.csrf)
      .send({ name: 'viewer-key' });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/Writer|Manager/);
  });

  it('reads one root key with who uses it, and its activity; an unknown key is a 404', async () => {
    const { agent } = await login(app);
    const id = keyId(e.t, 'cluster-root-key-1');
    const key = RootKey.parse(
      (await agent.get(`/api/kms/instances/kp-us-south/keys/${id}`).expect(200)).body,
    );
    expect(key).toMatchObject({ id, name: 'cluster-root-key-1', instanceId: 'kp-us-south' });
    expect(key.registrations.map((r) => r.clusterName)).toContain('staging-us-south');
    const activity = await agent.get(`/api/kms/instances/kp-us-south/keys/${id}/activity`);
    expect(activity.status).toBe(200);
    const missing = await agent.get('/api/kms/instances/kp-us-south/keys/no-such-key');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/key/i);
  });

  it('sets a root key’s rotation policy and answers its next rotation; names a bad body', async () => {
    const { agent, csrf } = await login(app);
    const path = `/api/kms/instances/kp-us-south/keys/${keyId(e.t, 'cluster-root-key-2')}/policies/rotation`;
    const key = RootKey.parse(
      (
        await agent
          .put(path)
          .set('x-csrf-token', csrf)
          .send({ enabled: true, intervalMonth: 2 })
          .expect(200)
      ).body,
    );
    const from = Date.parse(key.lastRotateDate ?? key.creationDate);
    expect(key.nextRotationDate).toBe(new Date(from + 60 * 24 * 3600 * 1000).toISOString());
    for (const [body, message] of [
      [{ enabled: true }, 'Choose how many months between rotations'],
      [{ enabled: true, intervalMonth: 13 }, 'Choose 1 to 12 months'],
    ] as const) {
      const bad = await agent.put(path).set('x-csrf-token', csrf).send(body);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain(message);
    }
    const off = await agent.put(path).set('x-csrf-token', csrf).send({ enabled: false });
    expect(RootKey.parse(off.body).nextRotationDate).toBeUndefined();
    const viewer = await login(app, 'viewer');
    const denied = await viewer.agent
      .put(path)
      .set('x-csrf-token', viewer.csrf)
      .send({ enabled: true, intervalMonth: 1 });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/Manager/);
  });

  it('deletes a key under dual authorization only with a second Manager', async () => {
    const { agent, csrf } = await login(app);
    const base = '/api/kms/instances/kp-us-south/keys';
    const key = RootKey.parse(
      (await agent.post(base).set('x-csrf-token', csrf).send({ name: 'bff-two-person' })).body,
    );
    const on = await agent
      .put(`${base}/${key.id}/policies/dual-auth-delete`)
      .set('x-csrf-token', csrf)
      .send({ enabled: true })
      .expect(200);
    expect(RootKey.parse(on.body).dualAuthDelete).toEqual({
      enabled: true,
      keySetForDeletion: false,
    });
    const off = await agent
      .put(`${base}/${key.id}/policies/dual-auth-delete`)
      .set('x-csrf-token', csrf)
      .send({ enabled: false });
    expect(off.status).toBe(409);
    const auth = `${base}/${key.id}/deletion-authorization`;
    await agent.put(auth).set('x-csrf-token', csrf).expect(204);
    const same = await agent.delete(`${base}/${key.id}`).set('x-csrf-token', csrf);
    expect(same.status).toBe(403);
    expect(same.body.message).toMatch(/another Manager must delete it/);
    await agent.delete(auth).set('x-csrf-token', csrf).expect(204);
    await agent.put(auth).set('x-csrf-token', csrf).expect(204);
    const approver = await login(app, 'approver');
    const deleted = await approver.agent
      .delete(`${base}/${key.id}`)
      .set('x-csrf-token', approver.csrf)
      .expect(200);
    expect(RootKey.parse(deleted.body).state).toBe(5);
  });
});
