import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { ClusterRows, SessionInfo } from '@keyhaven/contracts';
import { PASSWORD } from '../../../packages/engine/test/helpers.ts';
import { startEngineServer, type EngineServer } from '../../engine/test/harness.ts';
import { login, makeBff } from './harness.ts';

let e: EngineServer;
beforeAll(async () => {
  e = await startEngineServer({ secrets: 10 });
});
afterAll(async () => {
  await e.close();
});

describe('BFF sessions', () => {
  it('logs in with an HttpOnly, SameSite=Strict, encrypted cookie that holds nothing readable', async () => {
    const app = makeBff([e.url]);
    const { session, cookie, agent } = await login(app);
    expect(session.user.username).toBe('admin');
    expect(cookie).toMatch(/^kh_session=[^;]+; Path=\/; Expires=.*; HttpOnly; SameSite=Strict$/);
    const value = /kh_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    expect(value.split('.')).toHaveLength(5); // compact JWE: header.key.iv.ciphertext.tag
    expect(Buffer.from(value.split('.')[3] ?? '', 'base64url').toString()).not.toContain('admin');
    const clusters = await agent.get('/api/clusters');
    expect(clusters.status).toBe(200);
    expect(
      ClusterRows.parse(clusters.body)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['dev-us-east', 'prod-us-south', 'staging-us-south']);
    const me = await agent.get('/api/session');
    expect(SessionInfo.parse(me.body).csrfToken).toBe(session.csrfToken);
  });

  it('answers 204 to "who am I" without a session, and 401 to API calls', async () => {
    const app = makeBff([e.url]);
    await request(app).get('/api/session').expect(204);
    const res = await request(app).get('/api/clusters');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      code: 'UNAUTHENTICATED',
      message: 'Your session has ended. Log in again.',
    });
  });

  it("refuses a wrong password with the engine's message, and invalid bodies naming the field", async () => {
    const app = makeBff([e.url]);
    const wrong = await request(app)
      .post('/api/session')
      .send({ username: 'admin', password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('The username or password is incorrect.');
    const invalid = await request(app).post('/api/session').send({ username: 'admin' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toMatch(/^body\.password: /);
  });

  it('refuses a tampered or expired cookie', async () => {
    let now = Date.now();
    const app = makeBff([e.url], { now: () => now });
    const { cookie } = await login(app);
    const value = /kh_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    const parts = value.split('.');
    const ciphertext = Buffer.from(parts[3] ?? '', 'base64url');
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    parts[3] = ciphertext.toString('base64url');
    await request(app)
      .get('/api/clusters')
      .set('Cookie', `kh_session=${parts.join('.')}`)
      .expect(401);
    await request(app).get('/api/clusters').set('Cookie', `kh_session=${value}`).expect(200);
    now += 31 * 60 * 1000; // past the idle limit
    await request(app).get('/api/clusters').set('Cookie', `kh_session=${value}`).expect(401);
  });

  it('rolls the idle timer once a minute, not for every request still carrying the old cookie', async () => {
    let now = Date.now();
    const app = makeBff([e.url], { now: () => now });
    const { cookie } = await login(app);
    const value = /kh_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    const get = () => request(app).get('/api/clusters').set('Cookie', `kh_session=${value}`);
    expect((await get().expect(200)).headers['set-cookie']).toBeUndefined();
    now += 61_000;
    // The first request after a minute gets a rolled cookie; requests already sent with the old
    // one (a burst, or a client that keeps it) do not each cost a new one.
    expect(String((await get().expect(200)).headers['set-cookie'])).toMatch(/^kh_session=/);
    expect((await get().expect(200)).headers['set-cookie']).toBeUndefined();
    now += 61_000;
    expect(String((await get().expect(200)).headers['set-cookie'])).toMatch(/^kh_session=/);
  });

  it('needs the CSRF token for state changes; logout ends the session for good', async () => {
    const app = makeBff([e.url]);
    const { agent, session, cookie } = await login(app);
    const noToken = await agent.delete('/api/session');
    expect(noToken.status).toBe(403);
    expect(noToken.body.code).toBe('CSRF_TOKEN_INVALID');
    await agent
      .delete('/api/session')
      .set('x-csrf-token', 'x'.repeat(session.csrfToken.length))
      .expect(403);
    await agent.delete('/api/session').set('x-csrf-token', session.csrfToken).expect(204);
    // Replaying the old cookie, even on another replica, no longer works: the engine token is revoked.
    const other = makeBff([e.url]);
    const replay = await request(other)
      .get('/api/clusters')
      .set('Cookie', cookie.split(';')[0] ?? '');
    expect(replay.status).toBe(401);
  });

  it('accepts a session issued by another replica', async () => {
    const { cookie } = await login(makeBff([e.url]));
    await request(makeBff([e.url]))
      .get('/api/clusters')
      .set('Cookie', cookie.split(';')[0] ?? '')
      .expect(200);
  });

  it('rate-limits login attempts per user with a clear 429', async () => {
    const app = makeBff([e.url], { loginLimit: { windowMs: 60_000, perAddress: 100, perUser: 3 } });
    for (let i = 0; i < 3; i++)
      await request(app)
        .post('/api/session')
        .send({ username: 'viewer', password: 'wrong' })
        .expect(401);
    const limited = await request(app)
      .post('/api/session')
      .send({ username: 'viewer', password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      code: 'TOO_MANY_ATTEMPTS',
      message: 'Too many failed logins for this user. Try again in 1 min.',
    });
    // Successful logins do not use up the allowance.
    const fresh = makeBff([e.url], {
      loginLimit: { windowMs: 60_000, perAddress: 100, perUser: 3 },
    });
    for (let i = 0; i < 5; i++)
      await request(fresh)
        .post('/api/session')
        .send({ username: 'viewer', password: PASSWORD })
        .expect(200);
    // Another user from the same address is not affected.
    await request(app)
      .post('/api/session')
      .send({ username: 'admin', password: PASSWORD })
      .expect(200);
  });

  it('answers a 503 JSON error naming the engine when it is down, without hanging', async () => {
    const app = makeBff(['http://127.0.0.1:9']);
    const res = await request(app)
      .post('/api/session')
      .send({ username: 'admin', password: PASSWORD });
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/json/);
    expect(res.body).toEqual({
      code: 'ENGINE_UNAVAILABLE',
      message: 'The Keyhaven engine is unavailable. Try again shortly.',
    });
    expect((await request(app).get('/readyz')).status).toBe(503);
  });

  it('answers a 503 naming the timeout when the engine takes connections but never answers', async () => {
    // Accepts and holds every connection, like a hung engine.
    const held: Socket[] = [];
    const hung = createServer((socket) => held.push(socket)).listen(0, '127.0.0.1');
    await new Promise((r) => hung.once('listening', r));
    try {
      const app = makeBff([`http://127.0.0.1:${(hung.address() as AddressInfo).port}`]);
      const res = await request(app)
        .post('/api/session')
        .send({ username: 'admin', password: PASSWORD });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual({
        code: 'ENGINE_TIMEOUT',
        message: 'The Keyhaven engine did not answer in time. Try again.',
      });
    } finally {
      for (const socket of held) socket.destroy();
      hung.close();
    }
  });

  it('fails over to the next engine URL when one is down', async () => {
    const app = makeBff(['http://127.0.0.1:9', e.url]);
    const { agent } = await login(app);
    await agent.get('/api/clusters').expect(200);
  });

  it('serves health, metrics, strict security headers and the OpenAPI document', async () => {
    const app = makeBff([e.url]);
    await request(app).get('/healthz').expect(200);
    const csp = (await request(app).get('/healthz')).headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // An API answer carries the REST set: never cached, sniffed, framed or read by another origin.
    const api = (await request(app).get('/api/clusters').expect(401)).headers;
    expect(api).toMatchObject({
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toContain('keyhaven_bff_request_duration_seconds');
    const doc = (await request(app).get('/api/openapi.json')).body;
    expect(
      doc.paths['/api/session'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(['username', 'password']);
  });
});
