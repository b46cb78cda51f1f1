import type { KeyAdapterName } from '@keyhaven/contracts';
import type { Logger } from 'pino';
import type { Envelope } from '../crypto/envelope.ts';
import type { KeyAdapter } from '../keys/types.ts';
import type { Op, Store } from '../store/types.ts';
import { EngineError } from './errors.ts';

/** Time for the engine's rules and jobs, passed in so that tests move it instead of waiting. */
export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or as soon as the signal aborts (a stop or a wake-up, not a failure). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export interface Doc<T> {
  value: T;
  modRevision: number;
}

/** The engine's collaborators, passed in so tests can build an engine in two lines. */
export interface EngineContext {
  store: Store;
  /** The adapter for a provider: HPCS may differ from Key Protect. */
  adapterFor(adapter: KeyAdapterName): KeyAdapter;
  defaultAdapter: KeyAdapterName;
  hasAdapter(adapter: KeyAdapterName): boolean;
  /** Each configured adapter's problem, or undefined when it answers (R14 readiness). */
  adapterHealth(): Promise<Map<KeyAdapterName, string | undefined>>;
  clock: Clock;
  log: Logger;
  envelope: Envelope;
}

export async function getDoc<T>(store: Store, key: string): Promise<Doc<T> | undefined> {
  const kv = await store.get(key);
  return kv && { value: JSON.parse(kv.value.toString()) as T, modRevision: kv.modRevision };
}

export async function listDocs<T>(store: Store, prefix: string): Promise<Doc<T>[]> {
  const docs: Doc<T>[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.range(prefix, { limit: 500, ...(after !== undefined && { after }) });
    for (const kv of page.kvs)
      docs.push({ value: JSON.parse(kv.value.toString()) as T, modRevision: kv.modRevision });
    if (!page.more) return docs;
    after = page.kvs.at(-1)?.key;
  }
}

export const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/**
 * Read-modify-write with compare-and-swap on the document's revision, retried on a race.
 * The change function may throw to refuse; nothing is written then. `alongside` adds writes that
 * belong to the change (its activity entries), committed in the same transaction.
 */
export async function updateDoc<T>(
  store: Store,
  key: string,
  change: (current: T) => T,
  alongside: (next: T) => Op[] = () => [],
): Promise<T> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const doc = await getDoc<T>(store, key);
    if (!doc) throw new EngineError(404, 'NOT_FOUND', `${key.split('/').at(-1)} was not found`);
    const next = change(doc.value);
    const { succeeded } = await store.txn(
      [{ key, modRevision: doc.modRevision }],
      [{ type: 'put', key, value: json(next) }, ...alongside(next)],
    );
    if (succeeded) return next;
  }
  throw new EngineError(
    503,
    'CONTENTION',
    'the resource is changing too often; try again',
    undefined,
    1,
  );
}
