import { Etcd3, type IKeyValue, type IRequestOp } from 'etcd3';
import {
  StoreUnavailableError,
  prefixEnd,
  type Compare,
  type KeyValue,
  type Op,
  type RangeOptions,
  type RangeResult,
  type Store,
  type TxnResult,
  type Unwatch,
  type WatchEvent,
} from './types.ts';

export interface EtcdStoreSettings {
  /** Client URLs of the members, e.g. http://127.0.0.1:2379. */
  endpoints: string[];
  /** Deadline of one call; a call without quorum fails after this long. */
  callTimeoutMs: number;
  /** etcd's --max-txn-ops (default 128). */
  maxTxnOps: number;
  /** Under etcd's --max-request-bytes (default 1.5 MiB), leaving room for the request's framing. */
  maxTxnBytes: number;
}

export const defaultEtcdSettings = {
  callTimeoutMs: 5000,
  maxTxnOps: 128,
  maxTxnBytes: 1_500_000,
} as const;

const toKv = (kv: IKeyValue): KeyValue => ({
  key: kv.key.toString(),
  value: kv.value,
  createRevision: Number(kv.create_revision),
  modRevision: Number(kv.mod_revision),
  version: Number(kv.version),
});

/** Keys per etcd response when listing a whole prefix (keys only: about 1 MB). */
const KEYS_PAGE = 10_000;
/** Keys read ahead for paging (see range). */
const LOOKAHEAD = 4096;

/** The keys of a prefix from some point on, as one keys-only read saw them. */
class KeyWindow {
  private readonly index = new Map<string, number>();

  constructor(
    readonly prefix: string,
    private readonly keys: string[],
    /** Whether the prefix holds keys beyond this window. */
    readonly more: boolean,
    /** The key the window starts after (undefined: the start of the prefix). */
    private readonly start: string | undefined,
  ) {
    keys.forEach((key, i) => this.index.set(key, i));
  }

  /** Where a page starting after `after` begins in this window, or -1 if it is not in it. */
  position(after: string | undefined): number {
    if (after === this.start) return 0;
    if (after === undefined) return -1;
    const i = this.index.get(after);
    return i === undefined ? -1 : i + 1;
  }

  after(after: string | undefined, limit: number): string[] {
    const from = this.position(after);
    return this.keys.slice(from, from + limit);
  }

  get size(): number {
    return this.keys.length;
  }

  isLast(key: string): boolean {
    return this.keys.at(-1) === key;
  }
}

/** Errors of etcd or gRPC become StoreUnavailableError; our own RangeErrors pass through. */
async function guard<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof RangeError) throw err;
    throw new StoreUnavailableError(err);
  }
}

/**
 * The store on an etcd cluster. Keys are plain etcd keys, so `etcdctl get /registry/...` shows a
 * secret's stored bytes; transactions are etcd transactions (compare on mod revisions), and
 * watches are etcd watches, so every replica on the same cluster sees every change.
 */
export class EtcdStore implements Store {
  readonly kind = 'etcd' as const;
  readonly maxTxnOps: number;
  readonly maxTxnBytes: number;
  readonly client: Etcd3;
  private window: KeyWindow | undefined;

  constructor(settings: EtcdStoreSettings) {
    this.maxTxnOps = settings.maxTxnOps;
    this.maxTxnBytes = settings.maxTxnBytes;
    this.client = new Etcd3({
      hosts: settings.endpoints,
      dialTimeout: settings.callTimeoutMs,
      defaultCallOptions: (context) =>
        context.isStream ? {} : { deadline: Date.now() + settings.callTimeoutMs },
    });
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const res = await guard(() => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv && toKv(kv);
  }

  private async plainRange(start: string, end: string, limit: number): Promise<RangeResult> {
    const res = await guard(() =>
      this.client.kv.range({
        key: Buffer.from(start),
        range_end: Buffer.from(end),
        // No sort order: etcd returns keys in key order anyway, and asking for a sort makes it
        // read the whole rest of the range before applying the limit.
        limit,
      }),
    );
    return { kvs: res.kvs.map(toKv), more: res.more };
  }

  /**
   * Pages through a prefix. etcd 3.4 walks its index from a range's start to its end whatever the
   * limit (to count the keys), so paging a large prefix with open-ended ranges costs O(n) per page.
   * Instead, the keys of the next few thousand entries are read once (keys only), and each page
   * reads a range bounded by its last key. Keys written meanwhile inside a page's bounds are still
   * seen, and the last page of the prefix is always open-ended.
   */
  async range(prefix: string, { after, limit }: RangeOptions): Promise<RangeResult> {
    const start = after !== undefined ? `${after}\0` : prefix;
    const end = prefixEnd(prefix);
    if (limit * 4 > LOOKAHEAD) return this.plainRange(start, end, limit);
    let window = this.window;
    const position = window && window.prefix === prefix ? window.position(after) : -1;
    if (!window || position < 0 || (window.more && window.size - position < limit)) {
      const res = await guard(() =>
        this.client.kv.range({
          key: Buffer.from(start),
          range_end: Buffer.from(end),
          limit: LOOKAHEAD,
          keys_only: true,
        }),
      );
      window = new KeyWindow(
        prefix,
        res.kvs.map((kv) => kv.key.toString()),
        res.more,
        after,
      );
      this.window = window;
    }
    const keys = window.after(after, limit);
    const last = keys.at(-1);
    if (last === undefined || (!window.more && window.isLast(last)))
      return this.plainRange(start, end, limit);
    const page = await this.plainRange(start, `${last}\0`, limit);
    return { kvs: page.kvs, more: true };
  }

  async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const end = Buffer.from(prefixEnd(prefix));
    let start = Buffer.from(prefix);
    for (;;) {
      const res = await guard(() =>
        this.client.kv.range({ key: start, range_end: end, limit: KEYS_PAGE, keys_only: true }),
      );
      for (const kv of res.kvs) keys.push(kv.key.toString());
      const last = res.kvs.at(-1);
      if (!res.more || !last) return keys;
      start = Buffer.concat([last.key, Buffer.from([0])]);
    }
  }

  async count(prefix: string): Promise<number> {
    const res = await guard(() =>
      this.client.kv.range({
        key: Buffer.from(prefix),
        range_end: Buffer.from(prefixEnd(prefix)),
        count_only: true,
      }),
    );
    return Number(res.count);
  }

  async txn(compares: readonly Compare[], ops: readonly Op[]): Promise<TxnResult> {
    if (ops.length > this.maxTxnOps)
      throw new RangeError(`a transaction may carry at most ${this.maxTxnOps} operations`);
    let bytes = 0;
    const success: IRequestOp[] = ops.map((op) => {
      bytes += op.key.length + (op.type === 'put' ? op.value.length : 0);
      return op.type === 'put'
        ? { request_put: { key: Buffer.from(op.key), value: op.value } }
        : { request_delete_range: { key: Buffer.from(op.key) } };
    });
    if (bytes > this.maxTxnBytes)
      throw new RangeError(`a transaction may carry at most ${this.maxTxnBytes} bytes`);
    const res = await guard(() =>
      this.client.kv.txn({
        compare: compares.map((c) => ({
          key: Buffer.from(c.key),
          target: 'Mod',
          result: 'Equal',
          mod_revision: c.modRevision,
        })),
        success,
        failure: [],
      }),
    );
    return { succeeded: res.succeeded, revision: Number(res.header.revision) };
  }

  async watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<Unwatch> {
    const watcher = await guard(() => this.client.watch().prefix(prefix).create());
    // Cancelling reaches etcd later; no event is delivered once the caller has unwatched.
    let active = true;
    watcher.on('put', (kv) => active && onEvent({ type: 'put', kv: toKv(kv) }));
    watcher.on('delete', (kv) => active && onEvent({ type: 'delete', kv: toKv(kv) }));
    return () => {
      active = false;
      void watcher.cancel().catch(() => undefined);
    };
  }

  /** A linearizable read: it needs a quorum, so it fails when the cluster has lost one. */
  async ping(): Promise<void> {
    await guard(() => this.client.kv.range({ key: Buffer.from('/keyhaven/ping') }));
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
