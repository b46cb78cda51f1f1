/**
 * The engine's store, shaped like etcd's KV API so that SQLite (embedded) and etcd (at scale)
 * are interchangeable: revisions are global and increase on every write.
 */
export interface KeyValue {
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
}

export interface RangeOptions {
  /** Start strictly after this key (for paging). */
  after?: string;
  limit: number;
}

export interface RangeResult {
  kvs: KeyValue[];
  more: boolean;
}

/** modRevision 0 means "the key does not exist". */
export interface Compare {
  key: string;
  modRevision: number;
}

export type Op = { type: 'put'; key: string; value: Buffer } | { type: 'delete'; key: string };

export interface TxnResult {
  succeeded: boolean;
  revision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  kv: KeyValue;
}

export type Unwatch = () => void;

export interface Store {
  readonly kind: 'sqlite' | 'etcd';
  get(key: string): Promise<KeyValue | undefined>;
  range(prefix: string, options: RangeOptions): Promise<RangeResult>;
  count(prefix: string): Promise<number>;
  /** Every key under prefix, in key order, without values (searching a large prefix by name). */
  keys(prefix: string): Promise<string[]>;
  /** All ops apply atomically if every compare holds; otherwise nothing changes. */
  txn(compares: readonly Compare[], ops: readonly Op[]): Promise<TxnResult>;
  /** Calls back for every change under prefix, in revision order, from now on. */
  watch(prefix: string, onEvent: (event: WatchEvent) => void): Promise<Unwatch>;
  /** Largest number of ops one txn may carry. */
  readonly maxTxnOps: number;
  /** Largest total of keys and values one txn may carry. */
  readonly maxTxnBytes: number;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the store is unavailable', { cause });
    this.name = 'StoreUnavailableError';
  }
}

export const putOp = (key: string, value: Buffer | string): Op => ({
  type: 'put',
  key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
});

/** Smallest key greater than every key with this prefix. */
export const prefixEnd = (prefix: string): string =>
  prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
