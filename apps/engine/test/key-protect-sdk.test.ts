import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import KeyProtectV2 from '@ibm-cloud/ibm-key-protect/ibm-key-protect-api/v2.js';
import { IamAuthenticator } from '@ibm-cloud/ibm-key-protect/auth/index.js';
import { wrapForImport } from '@keyhaven/contracts/import-wrap';
import { apiKeyFor } from './process.ts';
import { PASSWORD } from '../../../packages/engine/test/helpers.ts';
import { startEngineServer, type EngineServer } from './harness.ts';

/**
 * Issue 28: IBM's own Key Protect Node SDK, unchanged, drives the rotation policy, dual
 * authorization, import and alias calls against the engine, authenticating with an API key through the
 * engine's IAM-style token endpoint as it would with IBM Cloud IAM.
 */
let e: EngineServer;
const sdk = async (username: string) => {
  const kp = new KeyProtectV2({
    authenticator: new IamAuthenticator({
      apikey: await apiKeyFor(e.url, username, PASSWORD),
      url: e.url,
    }),
    serviceUrl: e.url,
  });
  return kp;
};
const POLICY = 'application/vnd.ibm.kms.policy+json';
const bluemixInstance = 'kp-us-south';

beforeAll(async () => {
  e = await startEngineServer({ secrets: 0 });
});
afterAll(() => e.close());

describe('the Key Protect Node SDK against the engine', () => {
  it('creates a key, sets its rotation and dual-authorization policies, and reads them back', async () => {
    const admin = await sdk('admin');
    const created = await admin.createKey({
      bluemixInstance,
      body: Buffer.from(
        JSON.stringify({
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [
            { type: 'application/vnd.ibm.kms.key+json', name: 'sdk-key', extractable: false },
          ],
        }),
      ),
    });
    expect(created.status).toBe(201);
    const id = created.result.resources?.[0]?.id ?? '';
    const rotation = await admin.putPolicy({
      id,
      bluemixInstance,
      policy: 'rotation',
      setKeyPoliciesOneOf: {
        metadata: { collectionType: POLICY, collectionTotal: 1 },
        resources: [{ type: POLICY, rotation: { interval_month: 3 } }],
      },
    });
    expect(rotation.status).toBe(200);
    await admin.putPolicy({
      id,
      bluemixInstance,
      policy: 'dualAuthDelete',
      setKeyPoliciesOneOf: {
        metadata: { collectionType: POLICY, collectionTotal: 1 },
        resources: [{ type: POLICY, dualAuthDelete: { enabled: true } }],
      },
    });
    const policies = await admin.getPolicy({ id, bluemixInstance });
    expect(policies.result).toMatchObject({
      resources: [
        { rotation: { enabled: true, interval_month: 3 } },
        { dualAuthDelete: { enabled: true } },
      ],
    });

    const alias = await admin.createKeyAlias({ id, alias: 'sdk-alias', bluemixInstance });
    expect(alias.status).toBe(201);
    const byAlias = await admin.getKey({ id: 'sdk-alias', bluemixInstance });
    expect(byAlias.result.resources?.[0]).toMatchObject({ id, aliases: ['sdk-alias'] });

    // Dual authorization: admin authorizes, the SDK's delete as admin is refused, approver's is not.
    expect((await admin.setKeyForDeletion({ id, bluemixInstance })).status).toBe(204);
    await expect(admin.deleteKey({ id, bluemixInstance })).rejects.toMatchObject({ status: 403 });
    const approver = await sdk('approver');
    const deleted = await approver.deleteKey({ id, bluemixInstance });
    expect(deleted.status).toBe(200);
    expect(deleted.result.resources?.[0]).toMatchObject({ id, state: 5 });
  });

  it('sets the instance’s rotation default', async () => {
    const admin = await sdk('admin');
    const set = await admin.putInstancePolicy({
      bluemixInstance,
      policy: 'rotation',
      setInstancePoliciesOneOf: {
        metadata: { collectionType: POLICY, collectionTotal: 1 },
        resources: [
          {
            policy_type: 'rotation',
            policy_data: { enabled: true, attributes: { interval_month: 2 } },
          },
        ],
      },
    });
    expect(set.status).toBe(200);
    const read = await admin.getInstancePolicy({ bluemixInstance });
    expect(read.result).toMatchObject({
      resources: [{ policy_type: 'rotation', policy_data: { enabled: true } }],
    });
  });

  it('imports a key through an import token, wraps and unwraps with it, and cannot reuse the token', async () => {
    const admin = await sdk('admin');
    const made = await admin.postImportToken({
      bluemixInstance,
      expiration: 900,
      maxAllowedRetrievals: 2,
    });
    expect(made.status).toBe(201);
    expect(made.result).toMatchObject({
      expiration: 900,
      maxAllowedRetrievals: 2,
      remainingRetrievals: 2,
    });
    const token = await admin.getImportToken({ bluemixInstance });
    expect(token.result.remainingRetrievals).toBe(1);
    const material = Buffer.alloc(32, 0x5a);
    const wrapped = wrapForImport(material, {
      payload: token.result.payload ?? '',
      nonce: token.result.nonce ?? '',
    });
    const body = (name: string) =>
      Buffer.from(
        JSON.stringify({
          metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
          resources: [
            { type: 'application/vnd.ibm.kms.key+json', name, extractable: false, ...wrapped },
          ],
        }),
      );
    const created = await admin.createKey({ bluemixInstance, body: body('sdk-imported') });
    expect(created.status).toBe(201);
    const key = created.result.resources?.[0];
    expect(key).toMatchObject({ name: 'sdk-imported', imported: true, extractable: false });
    expect(JSON.stringify(created.result)).not.toContain(material.toString('base64'));
    const plaintext = Buffer.from('a data key').toString('base64');
    const sealed = await admin.wrapKey({
      id: key?.id ?? '',
      bluemixInstance,
      keyActionWrapBody: Buffer.from(JSON.stringify({ plaintext })),
    });
    const opened = await admin.unwrapKey({
      id: key?.id ?? '',
      bluemixInstance,
      keyActionUnwrapBody: Buffer.from(JSON.stringify({ ciphertext: sealed.result.ciphertext })),
    });
    expect(opened.result.plaintext).toBe(plaintext);
    await expect(
      admin.createKey({ bluemixInstance, body: body('sdk-imported-again') }),
    ).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already used/),
    });
  });
});
