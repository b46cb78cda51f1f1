import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { Writable } from 'node:stream';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultPkcs11Settings, KeyAdapterError, Pkcs11KeyAdapter } from '../src/index.ts';
import { PROD, enableAndWait, makeEngine, readAll } from './helpers.ts';
import { rulesSuite } from './rules-suite.ts';
import { MARKER, expectMarkerNowhereIn, importThroughToken } from './import-support.ts';
import { initSoftHsmToken } from '../../../scripts/softhsm-token.ts';

const dir = mkdtempSync(join(tmpdir(), 'kh-hsm-'));
const hsm = initSoftHsmToken(dir, 'keyhaven-test');
// SoftHSM reads SOFTHSM2_CONF when the library initializes in this process.
process.env.SOFTHSM2_CONF = hsm.conf;
const token = {
  tokenDir: hsm.tokenDir,
  env: hsm.env,
  settings: { ...defaultPkcs11Settings, tokenLabel: hsm.label, pin: hsm.pin, retryDelayMs: 20 },
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const adapterError = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KeyAdapterError);
  return err as KeyAdapterError;
};

/** The token's objects as pkcs11-tool lists them: its secret keys, or every object. */
const listObjects = (type: 'secrkey' | 'all' = 'secrkey') =>
  execFileSync(
    'pkcs11-tool',
    [
      '--module',
      token.settings.modulePath,
      '--token-label',
      token.settings.tokenLabel,
      '--login',
      '--pin',
      token.settings.pin,
      '--list-objects',
      ...(type === 'all' ? [] : ['--type', type]),
    ],
    { env: { ...process.env, ...token.env }, encoding: 'utf8' },
  );

describe('PKCS#11 key adapter on a real SoftHSM2 token', () => {
  it('creates root keys in the token as sensitive, never extractable AES-256 objects', async () => {
    const adapter = new Pkcs11KeyAdapter(token.settings);
    try {
      const handle = await adapter.createKey('crk-1/v-1');
      const objects = listObjects();
      const block = objects.split(/\n(?=Secret Key Object)/).find((b) => b.includes('crk-1/v-1'));
      expect(block).toBeDefined();
      expect(block).toMatch(/AES length 32/);
      const access = /Access:\s+(.*)/.exec(block ?? '')?.[1]?.split(', ');
      expect(access).toContain('sensitive');
      expect(access).toContain('never extractable');
      expect(access).not.toContain('extractable');
      expect(block).toContain(Buffer.from(handle).toString('hex'));
    } finally {
      await adapter.close();
    }
  });

  it('refuses to hand out the key value, even to a logged-in session', async () => {
    const adapter = new Pkcs11KeyAdapter(token.settings);
    const handle = await adapter.createKey('crk-2/v-1');
    await adapter.close();
    const p11 = new pkcs11js.PKCS11();
    p11.load(token.settings.modulePath);
    p11.C_Initialize();
    try {
      const slot = p11
        .C_GetSlotList(true)
        .find((s) => p11.C_GetTokenInfo(s).label.trim() === token.settings.tokenLabel);
      if (slot === undefined) throw new Error('test token not found');
      const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      p11.C_Login(session, pkcs11js.CKU_USER, token.settings.pin);
      p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_ID, value: Buffer.from(handle) }]);
      const key = p11.C_FindObjects(session);
      p11.C_FindObjectsFinal(session);
      if (!key) throw new Error('key not found');
      expect(() => p11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }])).toThrow(
        /CKR_ATTRIBUTE_SENSITIVE/,
      );
      const flags = p11.C_GetAttributeValue(session, key, [
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_TOKEN },
      ]);
      expect(flags.map((a) => (a.value as Buffer)[0])).toEqual([0, 1, 1]);
    } finally {
      p11.C_Finalize();
      p11.close();
    }
  });

  it('wraps inside the token with AES-GCM bound to its aad; the wrong aad or a tampered value does not open', async () => {
    const adapter = new Pkcs11KeyAdapter(token.settings);
    try {
      const handle = await adapter.createKey('crk-3/v-1');
      const seed = Buffer.alloc(32, 9);
      const aad = Buffer.from('cluster-a/crk-3');
      const wrapped = await adapter.wrap(handle, seed, aad);
      expect(wrapped.length).toBe(12 + 32 + 16);
      expect(wrapped.includes(seed)).toBe(false);
      expect(await adapter.unwrap(handle, wrapped, aad)).toEqual(seed);
      expect((await adapterError(adapter.unwrap(handle, wrapped, Buffer.from('other')))).code).toBe(
        'UNWRAP_FAILED',
      );
      const tampered = Buffer.from(wrapped);
      tampered[20] = (tampered[20] ?? 0) ^ 1;
      expect((await adapterError(adapter.unwrap(handle, tampered, aad))).code).toBe(
        'UNWRAP_FAILED',
      );
      // Still healthy after refusing bad values.
      expect(await adapter.unwrap(handle, wrapped, aad)).toEqual(seed);
      await adapter.destroy(handle);
      const missing = await adapterError(adapter.unwrap(handle, wrapped, aad));
      expect(missing.code).toBe('KEY_MISSING');
      expect(missing.message).toMatch(/HSM key missing/);
      expect(listObjects()).not.toContain('crk-3/v-1');
    } finally {
      await adapter.close();
    }
  });

  it('reports a missing token clearly and recovers by itself when the token comes back', async () => {
    const adapter = new Pkcs11KeyAdapter(token.settings);
    try {
      const handle = await adapter.createKey('crk-4/v-1');
      const aad = Buffer.from('aad');
      const wrapped = await adapter.wrap(handle, Buffer.alloc(32, 1), aad);
      renameSync(token.tokenDir, `${token.tokenDir}-away`);
      try {
        const err = await adapterError(adapter.unwrap(handle, wrapped, aad));
        expect(err.retryable).toBe(true);
        expect(err.message).toMatch(/HSM|token/);
        await adapterError(adapter.check());
      } finally {
        renameSync(`${token.tokenDir}-away`, token.tokenDir);
      }
      await adapter.check();
      expect(await adapter.unwrap(handle, wrapped, aad)).toEqual(Buffer.alloc(32, 1));
    } finally {
      await adapter.close();
    }
  });

  it('names a wrong token label and a refused PIN, without the PIN, and does not retry a refused PIN', async () => {
    const lost = new Pkcs11KeyAdapter({ ...token.settings, tokenLabel: 'no-such-token' });
    const notFound = await adapterError(lost.check());
    expect(notFound.code).toBe('HSM_TOKEN_NOT_FOUND');
    expect(notFound.message).toBe('HSM token "no-such-token" not found');
    await lost.close();

    const wrongPin = new Pkcs11KeyAdapter({ ...token.settings, pin: 'wrong-pin-000' });
    const refused = await adapterError(wrongPin.check());
    expect(refused.code).toBe('HSM_LOGIN_FAILED');
    expect(refused.retryable).toBe(true);
    expect(refused.message).toMatch(/^HSM login failed/);
    expect(refused.message).not.toContain('wrong-pin-000');
    const calls = wrongPin.tokenCalls;
    expect((await adapterError(wrongPin.check())).code).toBe('HSM_LOGIN_FAILED');
    expect(wrongPin.tokenCalls).toBe(calls);
    await wrongPin.close();
  });
});

describe('an engine whose token goes away', () => {
  it('warns in the master status of the clusters that use it, and recovers when the token is back', async () => {
    const t = await makeEngine({ adapter: () => new Pkcs11KeyAdapter(token.settings) });
    try {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      renameSync(token.tokenDir, `${token.tokenDir}-away`);
      try {
        await t.engine.controller.reconcile();
        const cluster = await t.engine.clusters.get(t.admin, PROD);
        expect(cluster.masterHealth).toBe('warning');
        expect(cluster.masterStatus).toMatch(/^Root key cluster-root-key-1 is unreachable: /);
        expect((await t.engine.ready()).adapters.pkcs11).not.toBe('ok');
      } finally {
        renameSync(`${token.tokenDir}-away`, token.tokenDir);
      }
      await t.engine.controller.reconcile();
      expect((await t.engine.clusters.get(t.admin, PROD)).masterStatus).toBe('Ready');
      expect(await readAll(t, PROD)).toHaveLength(250);
    } finally {
      await t.close();
    }
  });
});

describe('Hyper Protect Crypto Services instances', () => {
  it('keep their root keys in the token while Key Protect instances use the default adapter', async () => {
    const t = await makeEngine({ hsm: () => new Pkcs11KeyAdapter(token.settings) });
    try {
      const hpcs = await t.engine.keys.create(t.admin, 'hpcs-us-south', { name: 'in-the-hsm' });
      const kp = await t.engine.keys.create(t.admin, 'kp-us-south', { name: 'in-software' });
      const inHsm = (await t.engine.keys.record(hpcs.id)).versions[0];
      expect(inHsm?.adapter).toBe('pkcs11');
      expect((await t.engine.keys.record(kp.id)).versions[0]?.adapter).toBe('software');
      expect(listObjects()).toContain(`${hpcs.id}/${inHsm?.id}`);
      expect(await t.engine.ready()).toEqual({
        store: 'ok',
        adapters: { software: 'ok', pkcs11: 'ok' },
      });
    } finally {
      await t.close();
    }
  });
});

describe('bring your own key into the token', () => {
  it('imports a 32-byte key as a sensitive, non-extractable token object; the marker stays out of the store, the logs and the answers', async () => {
    const logs: string[] = [];
    const logStream = new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const t = await makeEngine({ hsm: () => new Pkcs11KeyAdapter(token.settings), logStream });
    try {
      const before = listObjects();
      const key = await importThroughToken(t, 'hpcs-us-south', 'byok-in-the-hsm');
      const version = key.versions[0];
      expect(version).toMatchObject({ adapter: 'pkcs11', imported: true });
      const view = await t.engine.keys.view(key);
      expect(view.imported).toBe(true);
      const sealed = await t.engine.wrapping.wrap(t.admin, 'hpcs-us-south', key.id, {
        plaintext: Buffer.from('seed').toString('base64'),
      });
      const opened = await t.engine.wrapping.unwrap(t.admin, 'hpcs-us-south', key.id, {
        ciphertext: sealed.ciphertext,
      });
      expect(Buffer.from(opened.plaintext, 'base64').toString()).toBe('seed');
      // The token's AES-GCM under the imported key opens in Node with the marker as the key.
      const direct = new Pkcs11KeyAdapter(token.settings);
      try {
        const aad = Buffer.from('aad');
        const out = await direct.wrap(version?.handle ?? '', Buffer.from('proof'), aad);
        const decipher = createDecipheriv('aes-256-gcm', MARKER, out.subarray(0, 12));
        decipher.setAAD(aad);
        decipher.setAuthTag(out.subarray(out.length - 16));
        const body = out.subarray(12, out.length - 16);
        expect(Buffer.concat([decipher.update(body), decipher.final()]).toString()).toBe('proof');
      } finally {
        await direct.close();
      }
      const objects = listObjects();
      const block = objects
        .split(/\n(?=Secret Key Object)/)
        .find((b) => b.includes(`${key.id}/${version?.id}`));
      expect(block).toMatch(/AES length 32/);
      const access = /Access:\s+(.*)/.exec(block ?? '')?.[1]?.split(', ');
      expect(access).toContain('sensitive');
      expect(access).not.toContain('extractable');
      // The import pair went with the token's use; nothing else was left behind.
      expect(objects.split('Secret Key Object').length).toBe(
        before.split('Secret Key Object').length + 1,
      );
      expect(listObjects('all')).not.toMatch(/import-token/);
      expectMarkerNowhereIn(t.dir, [...logs, JSON.stringify(view), JSON.stringify(sealed)]);
      expectMarkerNowhereIn(token.tokenDir);
    } finally {
      await t.close();
    }
  });
});

rulesSuite('SQLite + PKCS#11 adapter on SoftHSM2', {
  adapter: () => new Pkcs11KeyAdapter(token.settings),
});
