import { join } from 'node:path';
import { wrapForImport } from '@keyhaven/contracts/import-wrap';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KeyAdapterError,
  SoftwareKeyAdapter,
  StoreKey,
  loadOrCreateKek,
  type KeyAdapter,
} from '../src/index.ts';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';
import { MARKER, importWith } from './import-support.ts';

/**
 * Issue 28: the import-token rules the adapter cannot show: which pair each step uses and
 * removes, what a failing adapter gives, and what two requests at once leave.
 */
class RecordingAdapter implements KeyAdapter {
  readonly name = 'software' as const;
  readonly calls: string[] = [];
  /** Set to make the next call of that kind fail. */
  failNext: { createImportPair?: Error; importKey?: Error; destroy?: Error } = {};
  /** Holds importKey until released, so that two imports meet. */
  gate: Promise<void> | undefined;

  constructor(private readonly inner: SoftwareKeyAdapter) {}

  createKey(label: string) {
    return this.inner.createKey(label);
  }
  async createImportPair(label: string) {
    this.calls.push(`createImportPair ${label}`);
    const failure = this.failNext.createImportPair;
    this.failNext.createImportPair = undefined;
    if (failure) throw failure;
    const pair = await this.inner.createImportPair(label);
    this.calls.push(`pair ${pair.handle}`);
    return pair;
  }
  async importKey(pair: string, payload: Buffer, label: string, accept: (m: Buffer) => void) {
    this.calls.push(`importKey ${pair} ${label}`);
    await this.gate;
    const failure = this.failNext.importKey;
    this.failNext.importKey = undefined;
    if (failure) throw failure;
    const handle = await this.inner.importKey(pair, payload, label, accept);
    this.calls.push(`imported ${handle}`);
    return handle;
  }
  wrap(handle: string, plaintext: Buffer, aad: Buffer) {
    return this.inner.wrap(handle, plaintext, aad);
  }
  unwrap(handle: string, wrapped: Buffer, aad: Buffer) {
    return this.inner.unwrap(handle, wrapped, aad);
  }
  async destroy(handle: string) {
    this.calls.push(`destroy ${handle}`);
    const failure = this.failNext.destroy;
    this.failNext.destroy = undefined;
    if (failure) throw failure;
    return this.inner.destroy(handle);
  }
  check() {
    return this.inner.check();
  }
  close() {
    return this.inner.close();
  }
}

const KP = 'kp-us-south';
let t: TestEngine;
let adapter: RecordingAdapter;
beforeAll(async () => {
  t = await makeEngine({
    secrets: 0,
    adapter: (store, dir) => {
      adapter = new RecordingAdapter(
        new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin'))),
      );
      return adapter;
    },
  });
});
afterAll(() => t.close());

const handlesOf = (kind: string, from = 0) =>
  adapter.calls
    .slice(from)
    .filter((c) => c.startsWith(`${kind} `))
    .map((c) => c.split(' ')[1]);

async function freshToken(terms = {}) {
  await t.engine.importTokens.create(t.admin, KP, terms);
  return t.engine.importTokens.retrieve(t.admin, KP);
}

describe('import tokens, step by step', () => {
  it('say why there is none, and record who made one', async () => {
    expect(await engineRefusal(t.engine.importTokens.retrieve(t.admin, KP))).toMatchObject({
      status: 404,
      code: 'IMPORT_TOKEN_NOT_FOUND',
      message: 'This instance has no import token; create one with POST /api/v2/import_token.',
    });
    const from = adapter.calls.length;
    await t.engine.importTokens.create(t.admin, KP, { expiration: 900, maxAllowedRetrievals: 1 });
    expect(adapter.calls[from]).toBe(`createImportPair import-token/${KP}`);
    const entry = (await t.engine.activity.list('instance', KP)).find(
      (e) => e.action === 'key.import-token',
    );
    expect(entry).toMatchObject({
      actor: 'admin',
      result: 'success',
      target: { kind: 'instance', id: KP },
      message: 'Created an import token, valid for 900 s and 1 retrieval(s).',
    });
    await t.engine.importTokens.retrieve(t.admin, KP);
    expect(await engineRefusal(t.engine.importTokens.retrieve(t.admin, KP))).toMatchObject({
      message: 'The import token was retrieved 1 time(s), all it allows; create a new one.',
    });
  });

  it('replace the pair of the token before, which goes from the adapter', async () => {
    const from = adapter.calls.length;
    await t.engine.importTokens.create(t.admin, KP, {});
    const [first] = handlesOf('pair', from);
    await t.engine.importTokens.create(t.admin, KP, {});
    expect(handlesOf('destroy', from).at(-1)).toBe(first);
    // A pair that cannot be removed is left behind; the new token stands.
    adapter.failNext.destroy = new Error('the adapter is busy');
    await expect(t.engine.importTokens.create(t.admin, KP, {})).resolves.toMatchObject({
      remainingRetrievals: 1,
    });
  });

  it('answer an adapter that cannot make a pair as unavailable', async () => {
    adapter.failNext.createImportPair = new KeyAdapterError('ADAPTER_UNAVAILABLE', 'down', true);
    expect(await engineRefusal(t.engine.importTokens.create(t.admin, KP, {}))).toMatchObject({
      status: 503,
      code: 'ADAPTER_UNAVAILABLE',
    });
  });

  it('of two made at once, keep one and remove the other’s pair', async () => {
    const from = adapter.calls.length;
    const results = await Promise.allSettled([
      t.engine.importTokens.create(t.admin, KP, {}),
      t.engine.importTokens.create(t.admin, KP, {}),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      status: 409,
      code: 'CONCURRENT_CHANGE',
      message: 'Another import token was made meanwhile; try again.',
    });
    const pairs = handlesOf('pair', from);
    expect(pairs).toHaveLength(2);
    // The loser's pair went; so did the token before (the winner replaced it).
    expect(handlesOf('destroy', from).filter((h) => pairs.includes(h))).toHaveLength(1);
  });

  it('of two retrievals at once, count one and refuse the other', async () => {
    await t.engine.importTokens.create(t.admin, KP, { maxAllowedRetrievals: 5 });
    const results = await Promise.allSettled([
      t.engine.importTokens.retrieve(t.admin, KP),
      t.engine.importTokens.retrieve(t.admin, KP),
    ]);
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      status: 409,
      message: 'The import token changed meanwhile; try again.',
    });
    expect((await t.engine.importTokens.retrieve(t.admin, KP)).remainingRetrievals).toBe(3);
  });
});

describe('importing, step by step', () => {
  it('names the key version in the adapter, uses the token up, and removes its pair', async () => {
    const from = adapter.calls.length;
    const token = await freshToken();
    const [pair] = handlesOf('pair', from);
    const key = await importWith(t, KP, 'edge-import', wrapForImport(MARKER, token));
    const version = key.versions[0];
    expect(adapter.calls).toContain(`importKey ${pair} ${key.id}/${version?.id}`);
    expect(handlesOf('destroy', from)).toContain(pair);
    const stored = JSON.parse(
      (await t.engine.ctx.store.get(StoreKey.importToken(KP)))?.value.toString() ?? '{}',
    );
    expect(stored.used).toEqual({ keyId: key.id, by: 'admin', at: version?.creationDate });
    expect(
      await engineRefusal(importWith(t, KP, 'edge-again', wrapForImport(MARKER, token))),
    ).toMatchObject({
      message: expect.stringMatching(
        /^The import token was already used \(.+\) and imports one key only; create a new one\.$/,
      ),
    });
  });

  it('refuses a sealed nonce that was tampered with, or too short to hold its tag', async () => {
    const token = await freshToken();
    const wrapped = wrapForImport(MARKER, token);
    const sealed = Buffer.from(wrapped.encryptedNonce, 'base64');
    sealed[0] = (sealed[0] as number) ^ 1;
    for (const encryptedNonce of [
      sealed.toString('base64'),
      sealed.subarray(sealed.length - 16).toString('base64'),
    ]) {
      const refusal = await engineRefusal(
        importWith(t, KP, 'edge-tampered', { ...wrapped, encryptedNonce }),
      );
      expect(refusal).toMatchObject({
        status: 400,
        code: 'IMPORT_REFUSED',
        details: { field: 'payload' },
      });
      expect(refusal.message).toMatch(
        /^The import was refused: payload must be 16, 24 or 32 bytes/,
      );
    }
    expect(
      await engineRefusal(importWith(t, KP, 'edge-no-iv', { ...wrapped, iv: '' })),
    ).toMatchObject({
      code: 'IMPORT_REFUSED',
    });
  });

  it('answers an adapter failure as such, not as a refused import', async () => {
    const token = await freshToken();
    adapter.failNext.importKey = new KeyAdapterError('ADAPTER_UNAVAILABLE', 'down', true);
    expect(
      await engineRefusal(importWith(t, KP, 'edge-down', wrapForImport(MARKER, token))),
    ).toMatchObject({ status: 503 });
  });

  it('of two imports that meet in the adapter, writes one and removes the other’s material', async () => {
    const token = await freshToken();
    const wrapped = wrapForImport(MARKER, token);
    let release = () => undefined as void;
    adapter.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const from = adapter.calls.length;
    const both = Promise.allSettled([
      importWith(t, KP, 'edge-race-a', wrapped),
      importWith(t, KP, 'edge-race-b', wrapped),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const results = await both;
    adapter.gate = undefined;
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({
      status: 409,
      code: 'IMPORT_TOKEN_USED',
    });
    const imported = handlesOf('imported', from);
    expect(imported).toHaveLength(2);
    const destroyed = handlesOf('destroy', from);
    expect(imported.filter((h) => destroyed.includes(h))).toHaveLength(1);
  });
});
