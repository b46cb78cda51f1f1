/**
 * The worker-thread side of ResealPool: opens each value of a batch and seals it under the new
 * seed, so that the crypto of a re-encryption job runs on another core than the store's writes.
 * Seeds arrive already unwrapped (the key adapter stays on the main thread) and are never logged.
 */
import { parentPort } from 'node:worker_threads';
import { asBuffer, Envelope, EnvelopeError } from './envelope.ts';
import { pack, unpack, type ResealReply, type ResealRequest } from './reseal-pool.ts';

const envelope = new Envelope();

parentPort?.on('message', async (request: ResealRequest) => {
  try {
    const seed = {
      ...request.seed,
      seed: asBuffer(request.seed.seed),
      wrappedSeed: asBuffer(request.seed.wrappedSeed),
    };
    const values = unpack(request.values);
    const sealed: Buffer[] = [];
    for (const [i, stored] of values.entries()) {
      const key = request.keys[i] ?? '';
      const secret = request.secrets[request.secretOf[i] ?? -1];
      const plaintext =
        secret === undefined
          ? stored
          : await envelope.open(key, stored, { resolve: async () => asBuffer(secret) });
      sealed.push(envelope.seal(key, plaintext, seed));
    }
    const packed = pack(sealed);
    parentPort?.postMessage({ id: request.id, sealed: packed } satisfies ResealReply, [
      packed.bytes,
    ]);
  } catch (err) {
    parentPort?.postMessage({
      id: request.id,
      error: err instanceof Error ? err.message : 'the worker failed',
      envelope: err instanceof EnvelopeError,
    } satisfies ResealReply);
  }
});
