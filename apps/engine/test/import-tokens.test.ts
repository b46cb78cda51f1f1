import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

/** Issue 28: import tokens and key imports over HTTP: what the contract refuses, and how. */
let e: EngineServer;
let admin: string;
let viewer: string;

beforeAll(async () => {
  e = await startEngineServer({ secrets: 0 });
  admin = await passwordToken(e.url, 'admin');
  viewer = await passwordToken(e.url, 'viewer');
});
afterAll(() => e.close());

const kp = (method: 'get' | 'post', path: string, token = admin) =>
  (method === 'get' ? request(e.url).get(path) : request(e.url).post(path))
    .set('Authorization', `Bearer ${token}`)
    .set('Bluemix-Instance', 'kp-us-south');

const keyBody = (fields: Record<string, unknown>) => ({
  metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
  resources: [
    { type: 'application/vnd.ibm.kms.key+json', name: 'imported', extractable: false, ...fields },
  ],
});

describe('import tokens over HTTP', () => {
  it('refuses terms outside Key Protect’s bounds, naming the field', async () => {
    for (const [body, field] of [
      [{ expiration: 299 }, 'expiration'],
      [{ expiration: 86_401 }, 'expiration'],
      [{ maxAllowedRetrievals: 0 }, 'maxAllowedRetrievals'],
      [{ maxAllowedRetrievals: 501 }, 'maxAllowedRetrievals'],
    ] as const) {
      const res = await kp('post', '/api/v2/import_token').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toContain(field);
    }
  });

  it('answers 404 before any token exists, and 403 to a Viewer', async () => {
    const none = await kp('get', '/api/v2/import_token');
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ code: 'IMPORT_TOKEN_NOT_FOUND' });
    expect((await kp('post', '/api/v2/import_token', viewer).send({})).status).toBe(403);
  });

  it('takes no body at all as Key Protect’s defaults, and says so in its OpenAPI', async () => {
    const made = await kp('post', '/api/v2/import_token');
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ expiration: 600, maxAllowedRetrievals: 1 });
    const openapi = await request(e.url).get('/openapi.json');
    expect(openapi.body.paths['/api/v2/import_token'].post.requestBody.required).toBe(false);
    expect(openapi.body.paths['/api/v2/keys'].post.requestBody.required).toBe(true);
  });

  it('takes an import only whole: payload, encryptedNonce, iv and the algorithm together', async () => {
    const partial = await kp('post', '/api/v2/keys').send(keyBody({ payload: 'AAAA' }));
    expect(partial.status).toBe(400);
    expect(partial.body.message).toContain('encryptedNonce');
    const sha1 = await kp('post', '/api/v2/keys').send(
      keyBody({
        payload: 'AAAA',
        encryptedNonce: 'AAAA',
        iv: 'AAAA',
        encryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      }),
    );
    expect(sha1.status).toBe(400);
    expect(JSON.stringify(sha1.body)).toContain('encryptionAlgorithm');
    const names = (await kp('get', '/api/v2/keys')).body.resources.map(
      (k: { name: string }) => k.name,
    );
    expect(names).not.toContain('imported');
  });
});
