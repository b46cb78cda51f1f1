import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { accessPolicyShape } from '@keyhaven/contracts';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

/** Issue 28: the account's users and access policies over HTTP, in IAM's shapes. */
let e: EngineServer;
let admin: string;
let viewer: string;

beforeAll(async () => {
  e = await startEngineServer({ secrets: 0 });
  admin = await passwordToken(e.url, 'admin');
  viewer = await passwordToken(e.url, 'viewer');
});
afterAll(() => e.close());

const as = (token: string) => ({
  get: (path: string) => request(e.url).get(path).set('Authorization', `Bearer ${token}`),
  post: (path: string) => request(e.url).post(path).set('Authorization', `Bearer ${token}`),
  delete: (path: string) => request(e.url).delete(path).set('Authorization', `Bearer ${token}`),
});

const grant = accessPolicyShape;

describe('users and access policies over HTTP', () => {
  it('invites, grants, lists and removes a user', async () => {
    const made = await as(admin).post('/identity/users').send({
      username: 'ops-lead',
      password: 'a-first-password',
    });
    expect(made.status).toBe(201);
    expect(made.body).not.toHaveProperty('passwordHash');
    expect(JSON.stringify(made.body)).not.toContain('a-first-password');
    const granted = await as(admin)
      .post('/identity/access-policies')
      .send(grant(made.body.id, 'kms', 'Writer', 'kp-us-south'));
    expect(granted.status).toBe(201);
    const listed = await as(admin).get(`/identity/access-policies?iam_id=${made.body.id}`);
    expect(listed.body.policies).toEqual([granted.body]);
    const users = await as(admin).get('/identity/users');
    expect(users.body.users.map((u: { username: string }) => u.username)).toContain('ops-lead');
    expect((await as(admin).delete(`/identity/access-policies/${granted.body.id}`)).status).toBe(
      204,
    );
    expect((await as(admin).delete(`/identity/users/${made.body.id}`)).status).toBe(204);
    expect((await as(admin).delete(`/identity/users/${made.body.id}`)).status).toBe(404);
  });

  it('names what is wrong with an invitation or a policy', async () => {
    for (const [body, field] of [
      [{ username: 'short-pass', password: 'short' }, 'password'],
      [{ username: 'has space', password: 'a-long-enough-one' }, 'username'],
      [{ password: 'a-long-enough-one' }, 'username'],
    ] as const) {
      const res = await as(admin).post('/identity/users').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    const wrongRole = await as(admin)
      .post('/identity/access-policies')
      .send(grant('user-viewer', 'kms', 'Administrator'));
    expect(wrongRole.status).toBe(400);
    expect(wrongRole.body.message).toMatch(/service role/);
    const noService = await as(admin)
      .post('/identity/access-policies')
      .send({ ...grant('user-viewer', 'kms', 'Reader'), resources: [{ attributes: [] }] });
    expect(noService.status).toBe(400);
  });

  it('is for account Administrators, and keeps the last one', async () => {
    expect((await as(viewer).get('/identity/users')).status).toBe(403);
    expect(
      (
        await as(viewer)
          .post('/identity/users')
          .send({ username: 'x-user', password: 'a-long-enough-one' })
      ).status,
    ).toBe(403);
    const last = await as(admin).delete('/identity/users/user-admin');
    expect(last.status).toBe(409);
    expect(last.body).toMatchObject({ code: 'LAST_ADMINISTRATOR' });
  });
});
