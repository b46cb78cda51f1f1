import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

/**
 * Issue 28: the rotation policy in Key Protect's own shapes over HTTP, so that its SDK and its
 * CLI's calls work unchanged, and what a caller sees when a body is wrong or a rotation too soon.
 */
let e: EngineServer;
let admin: string;
let keyId: string;
const POLICY = 'application/vnd.ibm.kms.policy+json';

beforeAll(async () => {
  e = await startEngineServer({ secrets: 0 });
  admin = await passwordToken(e.url, 'admin');
  keyId = e.t.keys.get('cluster-root-key-2') ?? '';
});
afterAll(() => e.close());

const kp = (method: 'get' | 'put' | 'post' | 'delete', path: string) => {
  const agent = request(e.url);
  const req =
    method === 'get'
      ? agent.get(path)
      : method === 'put'
        ? agent.put(path)
        : method === 'delete'
          ? agent.delete(path)
          : agent.post(path);
  return req.set('Authorization', `Bearer ${admin}`).set('Bluemix-Instance', 'kp-us-south');
};
const rotationBody = (rotation: unknown) => ({
  metadata: { collectionType: POLICY, collectionTotal: 1 },
  resources: [{ type: POLICY, rotation }],
});

describe('a key’s rotation policy over HTTP', () => {
  it('is set with Key Protect’s body and listed in its collection', async () => {
    const put = await kp('put', `/api/v2/keys/${keyId}/policies?policy=rotation`)
      .set('Content-Type', POLICY)
      .send(JSON.stringify(rotationBody({ enabled: true, interval_month: 3 })));
    expect(put.status).toBe(200);
    expect(put.headers['content-type']).toContain(POLICY);
    expect(put.body).toMatchObject({
      metadata: { collectionType: POLICY, collectionTotal: 1 },
      resources: [
        { type: POLICY, createdBy: 'admin', rotation: { enabled: true, interval_month: 3 } },
      ],
    });
    const list = await kp('get', `/api/v2/keys/${keyId}/policies`);
    expect(list.body).toEqual(put.body);
    const key = await kp('get', `/api/v2/keys/${keyId}`);
    expect(key.body.resources[0].nextRotationDate).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('names what is wrong with a body or a query, and changes nothing', async () => {
    const before = (await kp('get', `/api/v2/keys/${keyId}/policies`)).body;
    const cases: [string, unknown, string][] = [
      ['rotation', rotationBody({ enabled: true, interval_month: 13 }), 'interval_month'],
      ['rotation', rotationBody({ enabled: true, interval_month: 0 }), 'interval_month'],
      ['rotation', rotationBody({ enabled: true }), 'interval_month'],
      ['rotation', rotationBody({ interval_month: 2, every: 'day' }), 'every'],
      ['expiry', rotationBody({ enabled: true, interval_month: 2 }), 'policy'],
    ];
    for (const [policy, body, field] of cases) {
      const res = await kp('put', `/api/v2/keys/${keyId}/policies?policy=${policy}`).send(
        body as object,
      );
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
    expect((await kp('get', `/api/v2/keys/${keyId}/policies`)).body).toEqual(before);
  });

  it('sets the instance’s default in Key Protect’s instance-policy shape', async () => {
    const put = await kp('put', '/api/v2/instance/policies?policy=rotation').send({
      metadata: { collectionType: POLICY, collectionTotal: 1 },
      resources: [
        {
          policy_type: 'rotation',
          policy_data: { enabled: true, attributes: { interval_month: 6 } },
        },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body.resources).toEqual([
      expect.objectContaining({
        policy_type: 'rotation',
        policy_data: { enabled: true, attributes: { interval_month: 6 } },
      }),
    ]);
    expect((await kp('get', '/api/v2/instance/policies')).body).toEqual(put.body);
  });

  it('answers a second rotation within the hour with 429 and Retry-After', async () => {
    expect((await kp('post', `/api/v2/keys/${keyId}/actions/rotate`)).status).toBe(204);
    const again = await kp('post', `/api/v2/keys/${keyId}/actions/rotate`);
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('ROTATION_TOO_SOON');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(3500);
  });

  it('turns dual authorization on in Key Protect’s shape; two Managers delete through the API', async () => {
    const created = await kp('post', '/api/v2/keys').send({
      metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
      resources: [
        { type: 'application/vnd.ibm.kms.key+json', name: 'two-managers', extractable: false },
      ],
    });
    const id = created.body.resources[0].id;
    const mismatch = await kp('put', `/api/v2/keys/${id}/policies?policy=rotation`).send({
      metadata: { collectionType: POLICY, collectionTotal: 1 },
      resources: [{ type: POLICY, dualAuthDelete: { enabled: true } }],
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.message).toContain('policy=rotation');
    const on = await kp('put', `/api/v2/keys/${id}/policies?policy=dualAuthDelete`).send({
      metadata: { collectionType: POLICY, collectionTotal: 1 },
      resources: [{ type: POLICY, dualAuthDelete: { enabled: true } }],
    });
    expect(on.status).toBe(200);
    // Beside the rotation policy it took from the instance's default (set above).
    expect(on.body.resources).toEqual([
      expect.objectContaining({ rotation: { enabled: true, interval_month: 6 } }),
      expect.objectContaining({ type: POLICY, dualAuthDelete: { enabled: true } }),
    ]);
    expect((await kp('post', `/api/v2/keys/${id}/actions/setKeyForDeletion`)).status).toBe(204);
    const same = await kp('delete', `/api/v2/keys/${id}`);
    expect(same.status).toBe(403);
    expect(same.body.code).toBe('SAME_AUTHORIZER');
    const approver = await passwordToken(e.url, 'approver');
    const deleted = await request(e.url)
      .delete(`/api/v2/keys/${id}`)
      .set('Authorization', `Bearer ${approver}`)
      .set('Bluemix-Instance', 'kp-us-south');
    expect(deleted.status).toBe(200);
    expect(deleted.body.resources[0]).toMatchObject({ state: 5, deleted: true });
  });
});
