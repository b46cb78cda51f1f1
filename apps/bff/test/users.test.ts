import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessPolicy, User, UserList } from '@keyhaven/contracts';
import { startEngineServer, type EngineServer } from '../../engine/test/harness.ts';
import { login, makeBff } from './harness.ts';

/** Issue 28: the console's Access page calls: users and access policies through the BFF. */
let e: EngineServer;
let app: ReturnType<typeof makeBff>;
beforeAll(async () => {
  e = await startEngineServer({ secrets: 0 });
  app = makeBff([e.url]);
});
afterAll(() => e.close());

describe('BFF users and access policies', () => {
  it('lets an Administrator invite, grant, revoke and remove, and a viewer nothing', async () => {
    const { agent, csrf } = await login(app, 'admin');
    const invited = User.parse(
      (
        await agent
          .post('/api/users')
          .set('x-csrf-token', csrf)
          .send({ username: 'console-user', password: 'console-first-pass' })
          .expect(201)
      ).body,
    );
    const policy = AccessPolicy.parse(
      (
        await agent
          .post('/api/access-policies')
          .set('x-csrf-token', csrf)
          .send({
            type: 'access',
            subjects: [{ attributes: [{ name: 'iam_id', value: invited.id }] }],
            roles: [{ role_id: 'Manager' }],
            resources: [
              {
                attributes: [
                  { name: 'serviceName', value: 'kms' },
                  { name: 'serviceInstance', value: 'hpcs-us-south' },
                ],
              },
            ],
          })
          .expect(201)
      ).body,
    );
    const users = UserList.parse((await agent.get('/api/users').expect(200)).body).users;
    expect(users.find((u) => u.id === invited.id)?.serviceRoles).toEqual([
      { instanceId: 'hpcs-us-south', role: 'Manager' },
    ]);
    const policies = (await agent.get('/api/access-policies').expect(200)).body.policies;
    expect(policies).toContainEqual(policy);
    await agent.delete(`/api/access-policies/${policy.id}`).set('x-csrf-token', csrf).expect(204);
    await agent.delete(`/api/users/${invited.id}`).set('x-csrf-token', csrf).expect(204);
    const last = await agent.delete('/api/users/user-admin').set('x-csrf-token', csrf);
    expect(last.status).toBe(409);
    expect(last.body.message).toMatch(/last Administrator/);

    const viewer = await login(app, 'viewer');
    expect((await viewer.agent.get('/api/users')).status).toBe(403);
    const refused = await viewer.agent
      .post('/api/users')
      .set('x-csrf-token', viewer.csrf)
      .send({ username: 'sneaky', password: 'sneaky-password' });
    expect(refused.status).toBe(403);
  });
});
