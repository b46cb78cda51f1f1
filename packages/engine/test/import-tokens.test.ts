import { Writable } from 'node:stream';
import { wrapForImport } from '@keyhaven/contracts/import-wrap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';
import { MARKER, expectMarkerNowhereIn, importThroughToken, importWith } from './import-support.ts';

/**
 * Issue 28: bring your own key through Key Protect's import tokens, on the software adapter
 * (the PKCS#11 path is in pkcs11.int.test.ts): one import per token, before it expires, and the
 * material nowhere but sealed in the adapter.
 */
const KP = 'kp-us-south';
let t: TestEngine;
const logs: string[] = [];
beforeAll(async () => {
  t = await makeEngine({
    secrets: 5,
    logStream: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
});
afterAll(() => t.close());

describe('import tokens', () => {
  it('take Key Protect’s defaults and give the public key once per retrieval', async () => {
    const made = await t.engine.importTokens.create(t.admin, KP, {});
    expect(made).toMatchObject({
      expiration: 600,
      maxAllowedRetrievals: 1,
      remainingRetrievals: 1,
    });
    expect(new Date(made.expirationDate).getTime() - new Date(made.creationDate).getTime()).toBe(
      600_000,
    );
    const token = await t.engine.importTokens.retrieve(t.admin, KP);
    expect(token.remainingRetrievals).toBe(0);
    const pem = Buffer.from(token.payload, 'base64').toString();
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const { createPublicKey } = await import('node:crypto');
    expect(createPublicKey(pem).asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(Buffer.from(token.nonce, 'base64').length).toBeGreaterThan(0);
    expect(await engineRefusal(t.engine.importTokens.retrieve(t.admin, KP))).toMatchObject({
      status: 409,
      code: 'IMPORT_TOKEN_RETRIEVALS_EXHAUSTED',
    });
  });

  it('are for Writers: a Viewer can neither make nor read one', async () => {
    expect(await engineRefusal(t.engine.importTokens.create(t.viewer, KP, {}))).toMatchObject({
      status: 403,
    });
    expect(await engineRefusal(t.engine.importTokens.retrieve(t.viewer, KP))).toMatchObject({
      status: 403,
    });
  });
});

describe('importing a root key', () => {
  it('keeps a 32-byte key that wraps and unwraps, marked imported, its material nowhere', async () => {
    const key = await importThroughToken(t, KP, 'byok-32');
    const view = await t.engine.keys.view(key);
    expect(view).toMatchObject({ name: 'byok-32', imported: true, extractable: false, state: 1 });
    const wrapped = await t.engine.wrapping.wrap(t.admin, KP, key.id, {
      plaintext: Buffer.from('a data key').toString('base64'),
    });
    const opened = await t.engine.wrapping.unwrap(t.admin, KP, key.id, {
      ciphertext: wrapped.ciphertext,
    });
    expect(Buffer.from(opened.plaintext, 'base64').toString()).toBe('a data key');
    const activity = await t.engine.activity.list('key', key.id);
    expect(activity.map((e) => e.message)).toContain('Imported root key byok-32.');
    expectMarkerNowhereIn(t.dir, [...logs, JSON.stringify(view), JSON.stringify(activity)]);
  });

  it('takes 16- and 24-byte keys and refuses any other size, alike to a wrong nonce', async () => {
    for (const size of [16, 24]) {
      const key = await importThroughToken(t, KP, `byok-${size}`, MARKER.subarray(0, size));
      const wrapped = await t.engine.wrapping.wrap(t.admin, KP, key.id, {});
      expect(wrapped.plaintext).toBeDefined();
    }
    await t.engine.importTokens.create(t.admin, KP, { maxAllowedRetrievals: 3 });
    const token = await t.engine.importTokens.retrieve(t.admin, KP);
    const odd = wrapForImport(MARKER, token);
    const { publicEncrypt, constants } = await import('node:crypto');
    const twenty = publicEncrypt(
      {
        key: Buffer.from(token.payload, 'base64').toString(),
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
      },
      MARKER.subarray(0, 20),
    ).toString('base64');
    const wrongNonce = wrapForImport(MARKER, {
      ...token,
      nonce: Buffer.from('other').toString('base64'),
    });
    const notOpening = { ...odd, payload: Buffer.alloc(512, 7).toString('base64') };
    const refusals = [
      await engineRefusal(importWith(t, KP, 'byok-20', { ...odd, payload: twenty })),
      await engineRefusal(importWith(t, KP, 'byok-nonce', wrongNonce)),
      await engineRefusal(importWith(t, KP, 'byok-garbage', notOpening)),
    ];
    for (const refusal of refusals)
      expect(refusal).toMatchObject({
        status: 400,
        code: 'IMPORT_REFUSED',
        message: refusals[0]?.message,
      });
    // Refusals leave no key and keep the token usable.
    const names = (await t.engine.keys.list(t.admin, KP)).map((k) => k.name);
    expect(names).not.toContain('byok-nonce');
    const imported = await importWith(t, KP, 'byok-after-refusals', odd);
    expect(imported.versions[0]?.imported).toBe(true);
  });

  it('refuses a used token, and an expired one', async () => {
    await t.engine.importTokens.create(t.admin, KP, { maxAllowedRetrievals: 2 });
    const token = await t.engine.importTokens.retrieve(t.admin, KP);
    const wrapped = wrapForImport(MARKER, token);
    await importWith(t, KP, 'byok-once', wrapped);
    expect(await engineRefusal(importWith(t, KP, 'byok-twice', wrapped))).toMatchObject({
      status: 409,
      code: 'IMPORT_TOKEN_USED',
    });
    expect(await engineRefusal(t.engine.importTokens.retrieve(t.admin, KP))).toMatchObject({
      status: 409,
      code: 'IMPORT_TOKEN_USED',
    });
    await t.engine.importTokens.create(t.admin, KP, { expiration: 300 });
    const late = wrapForImport(MARKER, await t.engine.importTokens.retrieve(t.admin, KP));
    t.advance(300_000);
    expect(await engineRefusal(importWith(t, KP, 'byok-late', late))).toMatchObject({
      status: 409,
      code: 'IMPORT_TOKEN_EXPIRED',
    });
  });

  it('of two imports with one token, one wins and the other leaves nothing', async () => {
    await t.engine.importTokens.create(t.admin, KP, {});
    const wrapped = wrapForImport(MARKER, await t.engine.importTokens.retrieve(t.admin, KP));
    const results = await Promise.allSettled([
      importWith(t, KP, 'byok-race-a', wrapped),
      importWith(t, KP, 'byok-race-b', wrapped),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const names = (await t.engine.keys.list(t.admin, KP)).map((k) => k.name);
    expect(names.filter((n) => n.startsWith('byok-race'))).toHaveLength(1);
  });

  it('is not rotated: neither by hand nor by a policy, nor by the instance’s default', async () => {
    await t.engine.keyPolicies.setInstanceRotation(t.admin, KP, {
      enabled: true,
      interval_month: 1,
    });
    const key = await importThroughToken(t, KP, 'byok-no-rotation');
    expect(key.policies?.rotation).toBeUndefined();
    expect(await engineRefusal(t.engine.keyLifecycle.rotate(t.admin, KP, key.id))).toMatchObject({
      status: 409,
      code: 'IMPORTED_KEY_ROTATION',
    });
    expect(
      await engineRefusal(
        t.engine.keyPolicies.setKeyRotation(t.admin, KP, key.id, {
          enabled: true,
          interval_month: 3,
        }),
      ),
    ).toMatchObject({ status: 409, code: 'IMPORTED_KEY_ROTATION' });
    await t.engine.keyPolicies.setInstanceRotation(t.admin, KP, { enabled: false });
  });
});
