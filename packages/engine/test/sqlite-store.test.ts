import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore, type WatchEvent } from '../src/index.ts';

describe('SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kh-store-'));
    store = new SqliteStore(join(dir, 's.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
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
  });

  it('tells watchers about puts and deletes under a prefix, in order', async () => {
    const events: WatchEvent[] = [];
    const unwatch = await store.watch('/w/', (e) => events.push(e));
    await store.txn([], [{ type: 'put', key: '/w/1', value: Buffer.from('a') }]);
    await store.txn([], [{ type: 'put', key: '/other', value: Buffer.from('a') }]);
    await store.txn([], [{ type: 'delete', key: '/w/1' }]);
    unwatch();
    await store.txn([], [{ type: 'put', key: '/w/2', value: Buffer.from('a') }]);
    expect(events.map((e) => [e.type, e.kv.key])).toEqual([
      ['put', '/w/1'],
      ['delete', '/w/1'],
    ]);
    expect(events[1]?.kv.modRevision).toBeGreaterThan(events[0]?.kv.modRevision ?? 0);
  });
});
