import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityList, RawSecret, Secret, SecretMeta, SecretPage } from '@keyhaven/contracts';
import { startEngineServer, type EngineServer } from '../../engine/test/harness.ts';
import { PASSWORD } from '../../../packages/engine/test/helpers.ts';
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

const CLUSTER = '/api/clusters/c-dev-us-east';
const value = Buffer.from('s3cr3t-value').toString('base64');

describe('BFF secrets and activity', () => {
  it('lists a page of secrets without values, creates, reveals, shows stored bytes and deletes one', async () => {
    const { agent, csrf } = await login(app);
    const page = SecretPage.parse((await agent.get(`${CLUSTER}/secrets?limit=5`).expect(200)).body);
    expect(page.items).toHaveLength(5);
    expect(page.total).toBe(12);
    expect(page.continue).not.toBeNull();
    expect(JSON.stringify(page)).not.toContain('demo-value');

    const created = await agent
      .post(`${CLUSTER}/secrets`)
      .set('x-csrf-token', csrf)
      .send({ namespace: 'default', name: 'db-password', data: { password: value } });
    expect(created.status).toBe(201);
    expect(SecretMeta.parse(created.body)).toMatchObject({ name: 'db-password', encrypted: false });
    expect(JSON.stringify(created.body)).not.toContain(value);

    const read = await agent.get(`${CLUSTER}/secrets/default/db-password`).expect(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(Secret.parse(read.body).data.password).toBe(value);

    const raw = RawSecret.parse(
      (await agent.get(`${CLUSTER}/secrets/default/db-password/raw`).expect(200)).body,
    );
    expect(raw.storeKey).toBe('/clusters/c-dev-us-east/registry/secrets/default/db-password');
    expect(raw.encrypted).toBe(false);

    await agent
      .delete(`${CLUSTER}/secrets/default/db-password`)
      .set('x-csrf-token', csrf)
      .expect(204);
    const gone = await agent.get(`${CLUSTER}/secrets/default/db-password`);
    expect(gone.status).toBe(404);
    expect(gone.body.message).toMatch(/db-password/);
  });

  it('refuses bad input naming the field, and a missing CSRF token, changing nothing', async () => {
    const { agent, csrf } = await login(app);
    const bad = await agent
      .post(`${CLUSTER}/secrets`)
      .set('x-csrf-token', csrf)
      .send({ namespace: 'Not_A_Namespace', name: 'x', data: { a: value } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('INVALID_REQUEST');
    expect(bad.body.message).toMatch(/namespace/);
    const noData = await agent
      .post(`${CLUSTER}/secrets`)
      .set('x-csrf-token', csrf)
      .send({ namespace: 'default', name: 'x', data: {} });
    expect(noData.status).toBe(400);
    expect(noData.body.message).toMatch(/data/);
    const noCsrf = await agent
      .post(`${CLUSTER}/secrets`)
      .send({ namespace: 'default', name: 'x', data: { a: value } });
    expect(noCsrf.status).toBe(403);
    const badPath = await agent.get(`${CLUSTER}/secrets/default/..%2Fetc`);
    expect(badPath.status).toBe(400);
    const page = SecretPage.parse(
      (await agent.get(`${CLUSTER}/secrets?limit=100`).expect(200)).body,
    );
    expect(page.items.map((s) => s.name)).not.toContain('x');
  });

  it("refuses a viewer the values, naming the role, but shows the list; passes on the engine's 409", async () => {
    const { agent } = await login(app, 'viewer');
    await agent.get(`${CLUSTER}/secrets`).expect(200);
    const refused = await agent.get(`${CLUSTER}/secrets/default/app-secret-00000`);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/Editor platform role/);
    const admin = await login(app);
    const duplicate = await admin.agent
      .post(`${CLUSTER}/secrets`)
      .set('x-csrf-token', admin.csrf)
      .send({ namespace: 'default', name: 'app-secret-00000', data: { a: value } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toMatch(/app-secret-00000/);
  });

  it('shows activity for a cluster and a root key, newest first', async () => {
    const { agent, csrf } = await login(app);
    await agent
      .post(`${CLUSTER}/secrets`)
      .set('x-csrf-token', csrf)
      .send({ namespace: 'default', name: 'audited', data: { a: value } })
      .expect(201);
    const activity = ActivityList.parse((await agent.get(`${CLUSTER}/activity`).expect(200)).body);
    expect(activity.length).toBeGreaterThan(0);
    const times = activity.map((a) => a.at);
    expect([...times].sort().reverse()).toEqual(times);
    const keyId = e.t.keys.get('cluster-root-key-1');
    const keyActivity = await agent.get(`/api/kms/instances/kp-us-south/keys/${keyId}/activity`);
    expect(keyActivity.status).toBe(200);
    ActivityList.parse(keyActivity.body);
    expect((await agent.get('/api/clusters/c-nope/activity')).status).toBe(404);
  });

  it('logs every request with its request id, and no cookie, token, password or secret value', async () => {
    const stream = new PassThrough();
    let logs = '';
    stream.on('data', (chunk) => (logs += String(chunk)));
    const logged = makeBff([e.url], { logStream: stream });
    const { agent, csrf, cookie } = await login(logged);
    const marker = 'log-marker-value-7f3a9c';
    const encoded = Buffer.from(marker).toString('base64');
    const created = await agent
      .post(`${CLUSTER}/secrets`)
      .set('x-csrf-token', csrf)
      .send({ namespace: 'default', name: 'logged', data: { v: encoded } });
    expect(created.status).toBe(201);
    const read = await agent.get(`${CLUSTER}/secrets/default/logged`).expect(200);
    await agent.delete(`${CLUSTER}/secrets/default/logged`).set('x-csrf-token', csrf).expect(204);

    const lines = logs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { req?: { id?: string; method?: string; url?: string } });
    const readLine = lines.find((l) => l.req?.id === read.headers['x-request-id']);
    expect(readLine?.req).toMatchObject({
      method: 'GET',
      url: '/api/clusters/c-dev-us-east/secrets/default/logged',
    });
    expect(lines.filter((l) => l.req?.method === 'POST')).toHaveLength(2);
    const sessionCookie = cookie.split(';')[0]?.split('=')[1] ?? '';
    for (const needle of [marker, encoded, PASSWORD, csrf, sessionCookie, 'authorization'])
      expect(logs).not.toContain(needle);
  });
});
