import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

let e: EngineServer;
let admin: string;
let viewer: string;
let keyId: string;

const token = (username: string) => passwordToken(e.url, username);

beforeAll(async () => {
  e = await startEngineServer({ secrets: 30 });
  admin = await token('admin');
  viewer = await token('viewer');
  keyId = e.t.keys.get('cluster-root-key-1') ?? '';
});
afterAll(async () => {
  await e.close();
});

describe('engine HTTP API', () => {
  it('issues IAM-style tokens for a password or an API key, and refuses bad credentials', async () => {
    const bad = await request(e.url)
      .post('/identity/token')
      .type('form')
      .send({ grant_type: 'password', username: 'admin', password: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      code: 'UNAUTHORIZED',
      message: 'The username or password is incorrect.',
    });
    const created = await request(e.url)
      .post('/identity/apikeys')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'ci' });
    expect(created.status).toBe(201);
    const viaKey = await request(e.url)
      .post('/identity/token')
      .type('form')
      .send({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: created.body.apikey });
    expect(viaKey.status).toBe(200);
    expect(viaKey.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    await request(e.url)
      .delete(`/identity/apikeys/${created.body.id}`)
      .set('Authorization', `Bearer ${admin}`)
      .expect(204);
    const revoked = await request(e.url)
      .post('/identity/token')
      .type('form')
      .send({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey: created.body.apikey });
    expect(revoked.status).toBe(401);
    // The stored key is a hash: the API key itself is nowhere in the store.
    const user = await e.t.engine.ctx.store.get('/keyhaven/users/user-admin');
    // The secret part may itself contain "_" (base64url): everything after the key's id.
    const secret = String(created.body.apikey).replace(/^khk_[a-f0-9-]{36}_/, '');
    expect(secret.length).toBeGreaterThan(20);
    expect(user?.value.toString()).not.toContain(secret);
  });

  it('lists root keys in the Key Protect shape with the Bluemix-Instance header', async () => {
    const res = await request(e.url)
      .get('/api/v2/keys')
      .set('Authorization', `Bearer ${viewer}`)
      .set('Bluemix-Instance', 'kp-us-south');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.ibm.kms.key+json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    expect(res.body.metadata).toEqual({
      collectionType: 'application/vnd.ibm.kms.key+json',
      collectionTotal: 5,
    });
    expect(res.body.resources[0]).toMatchObject({
      type: 'application/vnd.ibm.kms.key+json',
      extractable: false,
    });
  });

  it('keeps a deleted root key readable as Destroyed, with its versions and activity', async () => {
    const kp = (req: request.Test) =>
      req.set('Authorization', `Bearer ${admin}`).set('Bluemix-Instance', 'kp-us-south');
    const created = await kp(request(e.url).post('/api/v2/keys')).send({
      metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
      resources: [
        { type: 'application/vnd.ibm.kms.key+json', name: 'short-lived-key', extractable: false },
      ],
    });
    expect(created.status).toBe(201);
    const id = created.body.resources[0].id as string;
    await kp(request(e.url).delete(`/api/v2/keys/${id}`)).expect(200);
    const after = await kp(request(e.url).get(`/api/v2/keys/${id}`));
    expect(after.status).toBe(200);
    expect(after.body.resources[0]).toMatchObject({ id, state: 5 });
    const versions = await kp(request(e.url).get(`/api/v2/keys/${id}/versions`));
    expect(versions.status).toBe(200);
    const activity = await kp(request(e.url).get(`/api/v2/keys/${id}/activity`));
    expect(activity.body.map((a: { action: string }) => a.action)).toEqual(
      expect.arrayContaining(['key.delete']),
    );
    // Destroyed is final: the key wraps nothing any more.
    const wrap = await kp(request(e.url).post(`/api/v2/keys/${id}/actions/wrap`)).send({
      plaintext: Buffer.from('x').toString('base64'),
    });
    expect(wrap.status).toBe(409);
  });

  it('wraps and unwraps through a root key, binding the additional authenticated data', async () => {
    const wrap = await request(e.url)
      .post(`/api/v2/keys/${keyId}/actions/wrap`)
      .set('Authorization', `Bearer ${admin}`)
      .set('Bluemix-Instance', 'kp-us-south')
      .set('content-type', 'application/vnd.ibm.kms.key_action_wrap+json')
      .send({ plaintext: Buffer.from('data key').toString('base64'), aad: ['cluster-a'] });
    expect(wrap.status).toBe(200);
    const unwrap = (aad: string[]) =>
      request(e.url)
        .post(`/api/v2/keys/${keyId}/actions/unwrap`)
        .set('Authorization', `Bearer ${admin}`)
        .set('Bluemix-Instance', 'kp-us-south')
        .send({ ciphertext: wrap.body.ciphertext, aad });
    expect(Buffer.from((await unwrap(['cluster-a'])).body.plaintext, 'base64').toString()).toBe(
      'data key',
    );
    const wrongAad = await unwrap(['cluster-b']);
    expect(wrongAad.status).toBe(400);
    expect(wrongAad.body.code).toBe('INVALID_CIPHERTEXT');
  });

  it('registers a KMS plug-in with one key at a time; the key lists it and refuses deletion', async () => {
    const kp = (req: request.Test) =>
      req.set('Authorization', `Bearer ${admin}`).set('Bluemix-Instance', 'kp-us-south');
    const created = await kp(request(e.url).post('/api/v2/keys')).send({
      metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
      resources: [
        { type: 'application/vnd.ibm.kms.key+json', name: 'plugin-key-b', extractable: false },
      ],
    });
    expect(created.status).toBe(201);
    const keyB: string = created.body.resources[0].id;
    const register = (key: string) =>
      kp(request(e.url).put(`/api/v2/keys/${key}/registrations/kms-plugin:edge-1`)).send({
        description: 'edge-1 API server',
      });
    const first = await register(keyId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ keyId, resource: 'kms-plugin:edge-1', state: 1 });
    expect((await register(keyId)).body.registrationId).toBe(first.body.registrationId);
    // A → B → A: each move mints a new registration id and drops the earlier registration.
    const onB = await register(keyB);
    const backOnA = await register(keyId);
    const ids = new Set([first, onB, backOnA].map((r) => r.body.registrationId));
    expect(ids.size).toBe(3);
    const b = await kp(request(e.url).get(`/api/v2/keys/${keyB}`));
    expect(b.body.resources[0].registrations).toEqual([]);
    const a = await kp(request(e.url).get(`/api/v2/keys/${keyId}/registrations`));
    expect(a.body.resources).toContainEqual(
      expect.objectContaining({
        clusterId: 'kms-plugin:edge-1',
        clusterName: 'edge-1 API server',
        kind: 'kms-plugin',
      }),
    );
    await kp(request(e.url).put(`/api/v2/keys/${keyB}/registrations/kms-plugin:edge-2`)).send({});
    const refused = await kp(request(e.url).delete(`/api/v2/keys/${keyB}`));
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain('kms-plugin:edge-2 (KMS plug-in)');
    const bad = await kp(request(e.url).put(`/api/v2/keys/${keyB}/registrations/Bad%20Name`));
    expect(bad.status).toBe(400);
    await kp(request(e.url).delete(`/api/v2/keys/${keyB}/registrations/kms-plugin:edge-2`)).expect(
      204,
    );
    await kp(request(e.url).delete(`/api/v2/keys/${keyB}`)).expect(200);
  });

  it('searches a cluster’s secrets by namespace and name, in numbered pages', async () => {
    const list = async (query: string) => {
      const res = await request(e.url)
        .get(`/v2/clusters/c-prod-us-south/secrets?${query}`)
        .set('Authorization', `Bearer ${viewer}`);
      expect(res.status).toBe(200);
      return res.body as { items: { namespace: string; name: string }[]; total: number };
    };
    const all = await list('offset=0&limit=5');
    expect(all.total).toBe(30);
    const second = await list('offset=5&limit=5');
    expect(second.items.map((s) => s.name)).not.toContain(all.items[0]?.name);
    // "payments/" matches a namespace; the 30 secrets spread over 4 namespaces.
    const payments = await list('search=PAYMENTS/&limit=100');
    expect(payments.total).toBeGreaterThan(0);
    expect(payments.items.every((s) => s.namespace === 'payments')).toBe(true);
    const one = await list('search=app-secret-00007');
    expect(one.items.map((s) => `${s.namespace}/${s.name}`)).toEqual(['web/app-secret-00007']);
    expect((await list('search=no-such-secret')).total).toBe(0);
  });

  it('refuses a viewer who enables KMS, naming the Administrator role', async () => {
    const res = await request(e.url)
      .post('/v2/enableKMS')
      .set('Authorization', `Bearer ${viewer}`)
      .send({ cluster: 'c-dev-us-east', instance_id: 'kp-us-south', crk_id: keyId });
    expect(res.status).toBe(403);
    expect(res.body.message).toBe(
      'You need the Administrator platform role on cluster c-dev-us-east.',
    );
  });

  it('refuses to disable KMS (R5)', async () => {
    const res = await request(e.url)
      .post('/v2/disableKMS')
      .set('Authorization', `Bearer ${admin}`)
      .send({ cluster: 'c-dev-us-east' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('KMS_CANNOT_BE_DISABLED');
  });

  it('checks a cluster connection before it reaches out, and never keeps a bad one', async () => {
    const connect = (body: object, as = admin) =>
      request(e.url).post('/v2/clusters').set('Authorization', `Bearer ${as}`).send(body);
    const base = {
      name: 'real-one',
      server: 'https://127.0.0.1:1',
      caCertificate: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----',
      token: 'a-token',
    };
    const unreadable = await connect(base);
    expect(unreadable.status).toBe(400);
    expect(unreadable.body).toMatchObject({
      code: 'INVALID_CERTIFICATE',
      message: 'caCertificate cannot be read as PEM',
    });
    const notUrl = await connect({ ...base, server: 'not a url' });
    expect(notUrl.status).toBe(400);
    expect(notUrl.body.message).toBe('body.server: server must be a URL');
    const plainHttp = await connect({ ...base, server: 'http://127.0.0.1:1' });
    expect(plainHttp.status).toBe(400);
    expect(plainHttp.body.message).toBe('body.server: server must start with https://');
    expect((await connect(base, viewer)).body).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'Connecting a cluster needs the Administrator platform role on all clusters of your account.',
    });
    const clusters = await request(e.url)
      .get('/v2/clusters')
      .set('Authorization', `Bearer ${admin}`);
    expect(clusters.body.map((c: { name: string }) => c.name)).not.toContain('real-one');
    const demo = await request(e.url)
      .delete('/v2/clusters/c-prod-us-south')
      .set('Authorization', `Bearer ${admin}`);
    expect(demo.status).toBe(409);
    expect(demo.body.code).toBe('NOT_CONNECTED');
    const report = await request(e.url)
      .post('/v2/clusters/c-prod-us-south/plugin-reports')
      .set('Authorization', `Bearer ${admin}`)
      .send({ resource: 'kms-plugin:x', healthz: 'ok' });
    // Only a connected cluster's own plug-in identity reports (issue 25): not even its admin.
    expect(report.status).toBe(403);
    expect(report.body.message).toMatch(/Only the KMS plug-in of cluster prod-us-south/);
    const userinfo = await connect({ ...base, server: 'https://kube:secret@127.0.0.1:1' });
    expect(userinfo.status).toBe(400);
    expect(userinfo.body.message).toMatch(/server must not hold a user name or password/);
  });

  it('streams master status changes as Server-Sent Events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${e.url}/v2/clusters/c-staging-us-south/watch`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until(/"masterStatus":"Ready"/);
    await request(e.url)
      .post('/v2/enableKMS')
      .set('Authorization', `Bearer ${admin}`)
      .send({
        cluster: 'c-staging-us-south',
        instance_id: 'kp-us-south',
        crk_id: e.t.keys.get('cluster-root-key-3'),
      })
      .expect(202);
    await until(/KMS feature enablement in progress/);
    await until(
      /"keyProtectEnabled":true[^\n]*\n\n[\s\S]*"masterStatus":"Ready"|"masterStatus":"Ready"[^\n]*"keyProtectEnabled":true/,
    );
    controller.abort();
    expect(text).toMatch(/^id: \d+\nevent: status\ndata: \{/m);
  });

  it('serves health, readiness and an OpenAPI document generated from the contract', async () => {
    await request(e.url).get('/healthz').expect(200);
    expect((await request(e.url).get('/readyz')).body).toMatchObject({
      status: 'ready',
      store: 'ok',
    });
    const doc = (await request(e.url).get('/openapi.json')).body;
    expect(
      doc.paths['/v2/enableKMS'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['cluster', 'instance_id', 'crk_id']);
    for (const action of ['wrap', 'unwrap', 'rewrap', 'rotate', 'disable', 'enable'])
      expect(Object.keys(doc.paths)).toContain(`/api/v2/keys/{id}/actions/${action}`);
  });
});

describe('malformed input to every endpoint gets a 4xx JSON error and changes nothing', () => {
  const huge = 'x'.repeat(3 * 1024 * 1024);
  const cases: [string, string, unknown, Record<string, string>?][] = [
    ['post', '/identity/token', { grant_type: 'password' }],
    ['post', '/identity/token', { grant_type: 'magic', username: 'a', password: 'b' }],
    ['post', '/identity/apikeys', { name: 42 }],
    ['delete', '/identity/apikeys/does-not-exist', undefined],
    ['get', '/api/v2/keys', undefined, {}],
    ['get', '/api/v2/keys', undefined, { 'Bluemix-Instance': '../etc' }],
    ['get', '/api/v2/keys', undefined, { 'Bluemix-Instance': 'no-such-instance' }],
    [
      'post',
      '/api/v2/keys',
      { metadata: {}, resources: [] },
      { 'Bluemix-Instance': 'kp-us-south' },
    ],
    [
      'post',
      '/api/v2/keys',
      {
        metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
        resources: [{ type: 'application/vnd.ibm.kms.key+json', name: 'k', extractable: true }],
      },
      { 'Bluemix-Instance': 'kp-us-south' },
    ],
    [
      'post',
      '/api/v2/keys',
      {
        metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
        resources: [
          {
            type: 'application/vnd.ibm.kms.key+json',
            name: 'past',
            extractable: false,
            expirationDate: '2001-01-01T00:00:00Z',
          },
        ],
      },
      { 'Bluemix-Instance': 'kp-us-south' },
    ],
    ['get', '/api/v2/keys/unknown-key', undefined, { 'Bluemix-Instance': 'kp-us-south' }],
    [
      'post',
      '/api/v2/keys/unknown-key/actions/rotate',
      undefined,
      { 'Bluemix-Instance': 'kp-us-south' },
    ],
    ['post', '/api/v2/keys/KEY/actions/explode', undefined, { 'Bluemix-Instance': 'kp-us-south' }],
    ['post', '/api/v2/keys/KEY/actions/enable', undefined, { 'Bluemix-Instance': 'kp-us-south' }],
    [
      'post',
      '/api/v2/keys/KEY/actions/unwrap',
      { ciphertext: 'not base64!' },
      { 'Bluemix-Instance': 'kp-us-south' },
    ],
    ['delete', '/api/v2/keys/KEY?force=maybe', undefined, { 'Bluemix-Instance': 'kp-us-south' }],
    ['get', '/v2/clusters/no-such-cluster', undefined],
    ['post', '/v2/enableKMS', { cluster: 'c-dev-us-east' }],
    [
      'post',
      '/v2/enableKMS',
      { cluster: 'c-dev-us-east', instance_id: 'kp-us-south', crk_id: 'nope' },
    ],
    [
      'post',
      '/v2/enableKMS',
      {
        cluster: 'c-dev-us-east',
        instance_id: 'kp-us-south',
        crk_id: 'KEY',
        private_endpoint: 'yes',
      },
    ],
    ['post', '/v2/enableKMS', huge],
    [
      'post',
      '/v2/clusters/c-dev-us-east/secrets',
      { namespace: 'UPPER', name: 'x', data: { a: 'YQ==' } },
    ],
    ['post', '/v2/clusters/c-dev-us-east/secrets', { namespace: 'default', name: 'x', data: {} }],
    [
      'post',
      '/v2/clusters/c-dev-us-east/secrets',
      { namespace: 'default', name: 'x', data: { a: '***' } },
    ],
    [
      'post',
      '/v2/clusters/c-dev-us-east/secrets',
      { namespace: 'default', name: 'app-secret-00000', data: { a: 'YQ==' } },
    ],
    ['put', '/v2/clusters/c-dev-us-east/secrets/default/missing', { data: { a: 'YQ==' } }],
    ['get', '/v2/clusters/c-dev-us-east/secrets?limit=0', undefined],
    ['get', '/v2/clusters/c-dev-us-east/secrets?continue=L290aGVy', undefined],
    ['get', '/v2/clusters/c-dev-us-east/secrets?continue=L290aGVy&search=a', undefined],
    ['get', '/v2/clusters/c-dev-us-east/secrets?offset=-1', undefined],
    ['delete', '/v2/clusters/c-dev-us-east/secrets/default/missing', undefined],
    ['get', '/v2/nothing-here', undefined],
  ];

  it.each(cases)('%s %s', async (method, rawPath, body, headers) => {
    const path = rawPath.replace('KEY', keyId);
    const before = await e.t.engine.ctx.store.range('/', { limit: 100_000 });
    let req = (request(e.url) as unknown as Record<string, (p: string) => request.Test>)[method]!(
      path,
    ).set('Authorization', `Bearer ${admin}`);
    for (const [name, value] of Object.entries(headers ?? { 'Bluemix-Instance': 'kp-us-south' }))
      req = req.set(name, value);
    if (path === '/identity/token') req = req.type('form');
    else if (typeof body === 'string') req = req.set('content-type', 'application/json');
    const res = body === undefined ? await req : await req.send(body as object);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(typeof res.body.code).toBe('string');
    expect(typeof res.body.message).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    const after = await e.t.engine.ctx.store.range('/', { limit: 100_000 });
    // Nothing changed but the activity log (a refused action writes no activity either).
    expect(after.kvs.map((kv) => [kv.key, kv.modRevision])).toEqual(
      before.kvs.map((kv) => [kv.key, kv.modRevision]),
    );
  });
});
