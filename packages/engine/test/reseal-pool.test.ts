import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Envelope, EnvelopeError, type SealingSeed } from '../src/crypto/envelope.ts';
import { pack, ResealPool, unpack } from '../src/crypto/reseal-pool.ts';

const seedOf = (keyId: string): SealingSeed => ({
  providerName: 'key-protect',
  keyId,
  seed: randomBytes(32),
  wrappedSeed: randomBytes(60),
});
const opener = (seed: SealingSeed) => ({ resolve: async () => seed.seed });
const key = (i: number) => `/clusters/c1/registry/secrets/default/s-${i}`;

describe('re-seal worker pool', () => {
  // Two workers, so that a batch is split and its parts must come back in order.
  const pool = new ResealPool(2);
  const envelope = new Envelope();
  afterAll(() => pool.close());

  it('packs values end to end and unpacks them unchanged', () => {
    const values = [Buffer.from('a'), Buffer.alloc(0), randomBytes(3000), Buffer.from('tail')];
    expect(unpack(pack(values))).toEqual(values);
  });

  it('seals plain values and re-seals sealed ones under the new seed, in order', async () => {
    const old = seedOf('crk-old:v1');
    const next = seedOf('crk-new:v1');
    const plaintexts = Array.from({ length: 101 }, (_, i) => randomBytes(i * 13));
    // Odd items were sealed under the old key; even ones are stored plain (identity).
    const items = plaintexts.map((value, i) =>
      i % 2 === 1
        ? { key: key(i), value: envelope.seal(key(i), value, old), secret: 0 }
        : { key: key(i), value },
    );
    const sealed = await pool.reseal(items, [old.seed], next);
    expect(sealed).toHaveLength(plaintexts.length);
    for (const [i, value] of sealed.entries()) {
      expect(envelope.inspect(value)?.keyId).toBe('crk-new:v1');
      expect(await envelope.open(key(i), value, opener(next))).toEqual(plaintexts[i]);
      // Still bound to its own store key (the additional authenticated data).
      await expect(envelope.open(key(i + 1), value, opener(next))).rejects.toThrow(EnvelopeError);
    }
  });

  it('fails a batch with a tampered value as the envelope would, and keeps working', async () => {
    const old = seedOf('crk-old:v1');
    const sealed = envelope.seal(key(1), Buffer.from('value'), old);
    sealed[sealed.length - 1] = (sealed.at(-1) ?? 0) ^ 1;
    await expect(
      pool.reseal([{ key: key(1), value: sealed, secret: 0 }], [old.seed], seedOf('crk-new:v1')),
    ).rejects.toThrow(/failed authentication/);
    const [again] = await pool.reseal([{ key: key(2), value: Buffer.from('ok') }], [], old);
    expect(await envelope.open(key(2), again ?? Buffer.alloc(0), opener(old))).toEqual(
      Buffer.from('ok'),
    );
  });

  it('fails batches in flight when its workers stop, and starts new ones on the next call', async () => {
    const seed = seedOf('crk:v1');
    const items = Array.from({ length: 2000 }, (_, i) => ({
      key: key(i),
      value: randomBytes(512),
    }));
    const failed = expect(pool.reseal(items, [], seed)).rejects.toThrow(/re-seal worker stopped/);
    await pool.close();
    await failed;
    const [value] = await pool.reseal([{ key: key(1), value: Buffer.from('back') }], [], seed);
    expect(await envelope.open(key(1), value ?? Buffer.alloc(0), opener(seed))).toEqual(
      Buffer.from('back'),
    );
  });
});
