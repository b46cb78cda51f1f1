import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, WatchEvent } from '../src/index.ts';

export interface StoreFixture {
  store: Store;
  /** A second client on the same data, as another replica would have (the same one for SQLite). */
  peer: Store;
  close(): Promise<void>;
}

/** One conformance suite for the store interface, run against SQLite and a real etcd cluster. */
export function storeConformance(label: string, open: () => Promise<StoreFixture>) {
  describe(`store conformance: ${label}`, () => {
    let fixture: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.close();
    });

    it('applies a transaction atomically only when every compare holds', async () => {
      const first = await store.txn(
        [{ key: '/a', modRevision: 0 }],
        [{ type: 'put', key: '/a', value: Buffer.from('1') }],
      );
      expect(first.succeeded).toBe(true);
      const a = await store.get('/a');
      expect(a).toMatchObject({ value: Buffer.from('1'), version: 1, modRevision: first.revision });
      const lost = await store.txn(
        [{ key: '/a', modRevision: 0 }],
        [
          { type: 'put', key: '/a', value: Buffer.from('2') },
          { type: 'put', key: '/b', value: Buffer.from('x') },
        ],
      );
      expect(lost.succeeded).toBe(false);
      expect(await store.get('/b')).toBeUndefined();
      const won = await store.txn(
        [{ key: '/a', modRevision: a?.modRevision ?? -1 }],
        [{ type: 'put', key: '/a', value: Buffer.from('2') }],
      );
      expect(won.succeeded).toBe(true);
      expect(await store.get('/a')).toMatchObject({
        value: Buffer.from('2'),
        version: 2,
        createRevision: first.revision,
      });
    });

    it('pages through a prefix in key order without leaking neighbours', async () => {
      const ops = Array.from({ length: 25 }, (_, i) => ({
        type: 'put' as const,
        key: `/p/${String(i).padStart(2, '0')}`,
        value: Buffer.from(String(i)),
      }));
      await store.txn(
        [],
        [
          ...ops,
          { type: 'put', key: '/p0', value: Buffer.from('x') },
          { type: 'put', key: '/q/1', value: Buffer.from('x') },
        ],
      );
      const seen: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await store.range('/p/', { limit: 10, ...(after !== undefined && { after }) });
        seen.push(...page.kvs.map((kv) => kv.key));
        if (!page.more) break;
        after = page.kvs.at(-1)?.key;
      }
      expect(seen).toEqual(ops.map((o) => o.key));
      expect(await store.count('/p/')).toBe(25);
      const keys = await store.keys('/p/');
      expect(keys).toHaveLength(25);
      expect(keys).toEqual([...keys].sort());
      expect(keys.every((k) => k.startsWith('/p/'))).toBe(true);
    });

    it('tells watchers about puts and deletes under a prefix, in order', async () => {
      const events: WatchEvent[] = [];
      const unwatch = await store.watch('/w/', (e) => events.push(e));
      await store.txn([], [{ type: 'put', key: '/w/1', value: Buffer.from('a') }]);
      await store.txn([], [{ type: 'put', key: '/other', value: Buffer.from('a') }]);
      await store.txn([], [{ type: 'delete', key: '/w/1' }]);
      // etcd delivers events a moment later; SQLite at once.
      for (let i = 0; i < 100 && events.length < 2; i++)
        await new Promise((r) => setTimeout(r, 20));
      unwatch();
      await store.txn([], [{ type: 'put', key: '/w/2', value: Buffer.from('a') }]);
      await new Promise((r) => setTimeout(r, 100));
      expect(events.map((e) => [e.type, e.kv.key])).toEqual([
        ['put', '/w/1'],
        ['delete', '/w/1'],
      ]);
      expect(events[1]?.kv.modRevision).toBeGreaterThan(events[0]?.kv.modRevision ?? 0);
    });

    it('pages in order, once each, and sees keys written ahead of the cursor meanwhile', async () => {
      const key = (i: number) => `/m/${String(i).padStart(4, '0')}`;
      const put = (k: string) => ({ type: 'put' as const, key: k, value: Buffer.from(k) });
      for (let i = 0; i < 300; i += 100)
        await store.txn(
          [],
          Array.from({ length: 100 }, (_, j) => put(key(i + j))),
        );
      const seen: string[] = [];
      let after: string | undefined;
      for (let round = 0; ; round++) {
        const page = await store.range('/m/', { limit: 7, ...(after !== undefined && { after }) });
        seen.push(...page.kvs.map((kv) => kv.key));
        if (round === 3) await store.txn([], [put(`${key(150)}a`), put(key(9999)), put('/m')]);
        if (!page.more) break;
        after = page.kvs.at(-1)?.key;
      }
      expect(seen).toEqual(
        [...Array.from({ length: 300 }, (_, i) => key(i)), `${key(150)}a`, key(9999)].sort(),
      );
    });

    it('keeps a 1 MiB value (the Kubernetes secret limit) byte for byte', async () => {
      const value = randomBytes(1024 * 1024);
      const { succeeded } = await store.txn([], [{ type: 'put', key: '/big/1', value }]);
      expect(succeeded).toBe(true);
      expect((await store.get('/big/1'))?.value.equals(value)).toBe(true);
      expect(store.maxTxnBytes).toBeGreaterThanOrEqual(value.length + 4096);
    });

    it('refuses a transaction over its operation or size limit, changing nothing', async () => {
      const tooMany = Array.from({ length: store.maxTxnOps + 1 }, (_, i) => ({
        type: 'put' as const,
        key: `/limit/${i}`,
        value: Buffer.from('x'),
      }));
      await expect(store.txn([], tooMany)).rejects.toThrow(RangeError);
      expect(await store.count('/limit/')).toBe(0);
      if (Number.isFinite(store.maxTxnBytes) && store.maxTxnBytes < 64 * 1024 * 1024) {
        const half = Math.ceil(store.maxTxnBytes / 2) + 1;
        await expect(
          store.txn(
            [],
            [
              { type: 'put', key: '/limit/a', value: Buffer.alloc(half) },
              { type: 'put', key: '/limit/b', value: Buffer.alloc(half) },
            ],
          ),
        ).rejects.toThrow(RangeError);
        expect(await store.count('/limit/')).toBe(0);
      }
    });

    it('shows one client the writes of another, and its watchers the changes', async () => {
      const events: WatchEvent[] = [];
      const unwatch = await fixture.peer.watch('/shared/', (e) => events.push(e));
      const { revision } = await store.txn(
        [],
        [{ type: 'put', key: '/shared/1', value: Buffer.from('v') }],
      );
      expect((await fixture.peer.get('/shared/1'))?.modRevision).toBe(revision);
      for (let i = 0; i < 100 && events.length === 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      unwatch();
      expect(events.map((e) => [e.type, e.kv.key, e.kv.modRevision])).toEqual([
        ['put', '/shared/1', revision],
      ]);
    });
  });
}
