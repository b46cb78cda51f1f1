import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EnvelopeError, type SealingSeed } from './envelope.ts';

/** One value to re-seal: its store key, its stored bytes, and the secret that opens it. */
export interface ResealItem {
  key: string;
  value: Uint8Array;
  /** Index into the request's secrets; none for a value stored plain. */
  secret?: number;
}

/**
 * Values packed end to end into one buffer that is transferred, not copied: posting Buffers one
 * by one would copy each one's whole backing store (for small Buffers, Node's shared 8 KiB pool).
 */
export interface Packed {
  bytes: ArrayBuffer;
  /** Where each value ends in bytes. */
  ends: Uint32Array;
}

export function pack(values: Uint8Array[]): Packed {
  const ends = new Uint32Array(values.length);
  let total = 0;
  values.forEach((value, i) => (ends[i] = total += value.length));
  const bytes = new Uint8Array(total);
  values.forEach((value, i) => bytes.set(value, (ends[i] ?? 0) - value.length));
  return { bytes: bytes.buffer, ends };
}

export function unpack({ bytes, ends }: Packed): Buffer[] {
  const values: Buffer[] = [];
  let start = 0;
  for (const end of ends) {
    values.push(Buffer.from(bytes, start, end - start));
    start = end;
  }
  return values;
}

export interface ResealRequest {
  id: number;
  keys: string[];
  values: Packed;
  /** Per value, the index of the secret (seed or DEK) that opens it; -1 for a value stored plain. */
  secretOf: Int32Array;
  secrets: Uint8Array[];
  seed: SealingSeed;
}

export type ResealReply =
  { id: number; sealed: Packed } | { id: number; error: string; envelope: boolean };

interface Pending {
  resolve: (sealed: Buffer[]) => void;
  reject: (err: Error) => void;
}

interface Running {
  worker: Worker;
  pending: Map<number, Pending>;
}

function request(items: ResealItem[], secrets: Buffer[], seed: SealingSeed) {
  return {
    keys: items.map((item) => item.key),
    values: pack(items.map((item) => item.value)),
    secretOf: Int32Array.from(items, (item) => item.secret ?? -1),
    secrets,
    seed,
  };
}

/** Values each worker seals and opens when warmed up: enough for V8 to optimize the loop. */
const WARM_UP_VALUES = 4000;

const WORKER_FILE = new URL('./reseal-worker.mjs', import.meta.url);

/**
 * Worker threads that open and re-seal batches for the re-encryption job, so that its crypto runs
 * on the other cores while the main thread reads and writes the store. One worker per core but
 * the main thread's (at least one, at most four; a batch is split among them). Workers start on
 * first use (or warm()) and are kept; a worker that dies fails its batches (the job retries them)
 * and is replaced on the next call.
 */
export class ResealPool {
  private readonly running: (Running | undefined)[];
  private nextId = 1;

  constructor(size = Math.max(1, Math.min(4, availableParallelism() - 1))) {
    this.running = new Array<Running | undefined>(size).fill(undefined);
  }

  /** Opens each item and seals it under the seed; the results keep the items' order. */
  async reseal(items: ResealItem[], secrets: Buffer[], seed: SealingSeed): Promise<Buffer[]> {
    if (items.length === 0) return [];
    const share = Math.ceil(items.length / this.running.length);
    const parts: Promise<Buffer[]>[] = [];
    for (let i = 0, w = 0; i < items.length; i += share, w++)
      parts.push(this.send(w, request(items.slice(i, i + share), secrets, seed)));
    return (await Promise.all(parts)).flat();
  }

  private send(index: number, body: Omit<ResealRequest, 'id'>): Promise<Buffer[]> {
    const id = this.nextId++;
    const { worker, pending } = this.running[index] ?? this.start(index);
    return new Promise<Buffer[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...body } satisfies ResealRequest, [body.values.bytes]);
    });
  }

  private start(index: number): Running {
    const worker = new Worker(WORKER_FILE);
    worker.unref();
    const running: Running = { worker, pending: new Map() };
    worker.on('message', (reply: ResealReply) => {
      const waiting = running.pending.get(reply.id);
      if (!waiting) return;
      running.pending.delete(reply.id);
      if ('sealed' in reply) waiting.resolve(unpack(reply.sealed));
      else waiting.reject(reply.envelope ? new EnvelopeError(reply.error) : new Error(reply.error));
    });
    const stopped = (err: Error) => {
      if (this.running[index] === running) this.running[index] = undefined;
      for (const waiting of running.pending.values()) waiting.reject(err);
      running.pending.clear();
    };
    worker.on('error', stopped);
    worker.on('exit', (code) => stopped(new Error(`a re-seal worker stopped (exit code ${code})`)));
    this.running[index] = running;
    return running;
  }

  /**
   * Starts every worker and runs its code until the JIT has compiled it (seals, then opens and
   * re-seals, a few thousand throwaway values under a throwaway seed), so that the first job runs
   * at full speed instead of spending its first batches in cold code.
   */
  async warm(): Promise<void> {
    const seed = {
      providerName: 'warm-up',
      keyId: 'warm-up',
      seed: randomBytes(32),
      wrappedSeed: randomBytes(48),
    };
    const items = Array.from({ length: WARM_UP_VALUES }, (_, i) => ({
      key: `/warm-up/${i}`,
      value: randomBytes(1024),
    }));
    await Promise.all(
      this.running.map(async (_, index) => {
        const sealed = await this.send(index, request(items, [], seed));
        const opened = items.map((item, i) => ({
          ...item,
          value: sealed[i] ?? item.value,
          secret: 0,
        }));
        await this.send(index, request(opened, [seed.seed], seed));
      }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.running.map((r) => r?.worker.terminate()));
  }
}
