import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreKey, SqliteStore, type Op } from '../src/index.ts';
import { RECORD_ROOM } from '../src/master/reencryption.ts';
import { enableAndWait, keyId, makeEngine, PROD, readAll, type TestEngine } from './helpers.ts';

const BIG_SECRETS = 40;
/** What a job transaction may carry in secrets here: a page of small ones, or four big ones. */
const BUDGET = 60_000;

/** SQLite with a request-size limit as small as a few secrets, and a record of every batch. */
class SmallRequestStore extends SqliteStore {
  override readonly maxTxnBytes = RECORD_ROOM + BUDGET;
  /** Secrets written and their bytes, per transaction. */
  readonly batches: { secrets: number; bytes: number }[] = [];

  override async txn(compares: Parameters<SqliteStore['txn']>[0], ops: readonly Op[]) {
    const secrets = ops.filter((op) => op.key.startsWith(StoreKey.secrets(PROD)));
    if (secrets.length > 0)
      this.batches.push({
        secrets: secrets.length,
        bytes: secrets.reduce(
          (n, op) => n + op.key.length + (op.type === 'put' ? op.value.length : 0),
          0,
        ),
      });
    return super.txn(compares, ops);
  }
}

describe('re-encryption job pipeline', () => {
  let t: TestEngine | undefined;
  afterEach(async () => t?.close());

  it('re-encrypts every secret once when the store request size cuts batches short', async () => {
    let store: SmallRequestStore | undefined;
    t = await makeEngine({
      // A first page of small secrets fits one batch; the big ones (sorted last) are cut short.
      secrets: 150,
      store: (path) => (store = new SmallRequestStore(path)),
    });
    // 12 KiB secrets, read 100 at a time by the job.
    for (let i = 0; i < BIG_SECRETS; i++)
      await t.engine.secrets.write(
        t.admin,
        PROD,
        {
          namespace: 'zz-big',
          name: `s-${i}`,
          type: 'Opaque',
          data: { v: randomBytes(9 * 1024).toString('base64') },
        },
        'create',
      );
    /** Each secret's data by store key, hashed (so that a failure prints something readable). */
    const contents = async (e: TestEngine) =>
      new Map(
        (await readAll(e, PROD)).map((s) => [
          s.storeKey,
          createHash('sha256').update(JSON.stringify(s.data)).digest('hex'),
        ]),
      );
    const before = await contents(t);
    for (const keyName of ['cluster-root-key-1', 'cluster-root-key-2']) {
      store?.batches.splice(0);
      const cluster = await enableAndWait(t, PROD, keyName);
      expect(cluster.masterStatus).toBe('Ready');
      expect(await contents(t)).toEqual(before);
      for (const storeKey of before.keys()) {
        const stored = await t.engine.ctx.store.get(storeKey);
        const sealedBy = t.engine.ctx.envelope.inspect(stored?.value ?? Buffer.alloc(0))?.keyId;
        expect(sealedBy?.split(':')[0]).toBe(keyId(t, keyName));
      }
      // Batches cut to the budget (one page of 100 would have been one batch), and each secret
      // written exactly once.
      const batches = store?.batches ?? [];
      expect(batches.length).toBeGreaterThanOrEqual(BIG_SECRETS / 4);
      for (const batch of batches) expect(batch.bytes).toBeLessThanOrEqual(BUDGET);
      expect(batches.reduce((n, batch) => n + batch.secrets, 0)).toBe(before.size);
    }
  });
});

/** SQLite that, once the job's first batch commits, lets a plain secret in behind its checkpoint. */
class SlippedWriteStore extends SqliteStore {
  override readonly maxTxnBytes = RECORD_ROOM + 4000;
  slipped = false;

  override async txn(compares: Parameters<SqliteStore['txn']>[0], ops: readonly Op[]) {
    const result = await super.txn(compares, ops);
    const batch = ops.some((op) => op.key.startsWith(StoreKey.secrets(PROD)));
    if (batch && !this.slipped && ops.some((op) => op.key === StoreKey.job(PROD))) {
      this.slipped = true;
      const plain = await this.get(StoreKey.secret(PROD, 'zz-plain', 'model'));
      await super.txn(
        [],
        [{ type: 'put', key: StoreKey.secret(PROD, 'aaa', 'slipped'), value: plain!.value }],
      );
    }
    return result;
  }
}

describe('a job that finds secrets it passed by', () => {
  let t: TestEngine | undefined;
  afterEach(async () => t?.close());

  it('goes over the cluster again, and only then says Ready with every secret sealed', async () => {
    let store: SlippedWriteStore | undefined;
    t = await makeEngine({ secrets: 60, store: (path) => (store = new SlippedWriteStore(path)) });
    await t.engine.secrets.write(
      t.admin,
      PROD,
      { namespace: 'zz-plain', name: 'model', type: 'Opaque', data: { v: 'c2xpcHBlZA==' } },
      'create',
    );
    const cluster = await enableAndWait(t, PROD, 'cluster-root-key-1');
    expect(store?.slipped).toBe(true);
    expect(cluster.masterStatus).toBe('Ready');
    expect(cluster.enablement).toMatchObject({
      state: 'succeeded',
      progress: { done: 62, total: 62 },
    });
    const page = await t.engine.ctx.store.range(StoreKey.secrets(PROD), { limit: 1000 });
    expect(page.kvs).toHaveLength(62);
    for (const kv of page.kvs)
      expect(t.engine.ctx.envelope.inspect(kv.value)?.keyId.split(':')[0], kv.key).toBe(
        keyId(t, 'cluster-root-key-1'),
      );
    const slipped = await t.engine.secrets.get(t.admin, PROD, 'aaa', 'slipped');
    expect(slipped.data).toEqual({ v: 'c2xpcHBlZA==' });
    const entries = await t.engine.activity.list('cluster', PROD);
    expect(entries.find((e) => e.action === 'kms.pass-again')?.message).toBe(
      'Re-encryption found 1 secret it had not passed through (62 stored, 61 done): going over the cluster again.',
    );
  });
});
