import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

/** Issue 28: key aliases over HTTP, in Key Protect's shapes, and the aliases it refuses. */
let e: EngineServer;
let admin: string;
let keyId: string;

beforeAll(async () => {
  e = await startEngineServer({ secrets: 0 });
  admin = await passwordToken(e.url, 'admin');
  keyId = e.t.keys.get('cluster-root-key-1') ?? '';
});
afterAll(() => e.close());

const kp = (method: 'get' | 'post' | 'delete', path: string) =>
  (method === 'get'
    ? request(e.url).get(path)
    : method === 'post'
      ? request(e.url).post(path)
      : request(e.url).delete(path)
  )
    .set('Authorization', `Bearer ${admin}`)
    .set('Bluemix-Instance', 'kp-us-south');

describe('key aliases over HTTP', () => {
  it('are made in Key Protect’s alias collection and read the key by alias', async () => {
    const made = await kp('post', `/api/v2/keys/${keyId}/aliases/billing`);
    expect(made.status).toBe(201);
    expect(made.headers['content-type']).toContain('application/vnd.ibm.kms.key_alias+json');
    expect(made.body.resources).toEqual([
      expect.objectContaining({ keyId, alias: 'billing', createdBy: 'admin' }),
    ]);
    const read = await kp('get', '/api/v2/keys/billing');
    expect(read.body.resources[0]).toMatchObject({ id: keyId, aliases: ['billing'] });
    expect((await kp('delete', `/api/v2/keys/billing/aliases/billing`)).status).toBe(204);
    expect((await kp('get', '/api/v2/keys/billing')).status).toBe(404);
  });

  it('refuses an alias that is too short, has other characters, reads as a key id or is reserved', async () => {
    for (const [alias, why] of [
      ['x', 'Too small'],
      ['has.dot', 'letters, digits'],
      ['0b7c4e9a-1f2d-4c3b-9a8e-7d6c5b4a3f21', 'UUID'],
      ['versions', 'reserves'],
    ] as const) {
      const res = await kp('post', `/api/v2/keys/${keyId}/aliases/${alias}`);
      expect(res.status, alias).toBe(400);
      expect(res.body.message).toContain(why);
    }
  });
});
