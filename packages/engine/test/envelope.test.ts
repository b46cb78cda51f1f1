import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DERIVED_KEY_MAX_AGE_MS,
  Envelope,
  kmsPrefix,
  parseKmsPrefix,
  type SealingSeed,
} from '../src/crypto/envelope.ts';
import {
  decodeEncryptedObject,
  DekSourceType,
  encodeEncryptedObject,
} from '../src/crypto/encrypted-object.ts';

const seedOf = (seed = randomBytes(32)): SealingSeed => ({
  providerName: 'key-protect',
  keyId: 'crk-1:v1',
  seed,
  wrappedSeed: randomBytes(60),
});
/** Like the engine's resolver: the wrapped seed is authenticated by the key adapter when unwrapped. */
const resolverFor = (seed: Buffer, sealing?: SealingSeed) => ({
  resolve: async (keyId: string, source: Buffer, _type: number, providerName: string) => {
    const mismatch =
      sealing &&
      (keyId !== sealing.keyId ||
        !source.equals(sealing.wrappedSeed) ||
        providerName !== sealing.providerName);
    if (mismatch) throw new Error('unwrap failed');
    return seed;
  },
});
/** A stored KMS v2 value in seed mode around the given encrypted data, as an API server frames it. */
const storedSeedValue = (providerName: string, keyID: string, encryptedData: Buffer) =>
  Buffer.concat([
    Buffer.from(kmsPrefix(providerName)),
    encodeEncryptedObject({
      encryptedData,
      keyID,
      encryptedDEKSource: Buffer.from('wrapped'),
      annotations: {},
      encryptedDEKSourceType: DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED,
    }),
  ]);
const storeKeyArb = fc.stringMatching(
  /^\/clusters\/c[a-z0-9]{1,8}\/registry\/secrets\/[a-z0-9-]{1,12}\/[a-z0-9-]{1,20}$/,
);

describe('envelope (KMS v2 seed mode)', () => {
  it('round-trips arbitrary values under arbitrary store keys', async () => {
    const envelope = new Envelope();
    const sealing = seedOf();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), storeKeyArb, async (value, storeKey) => {
        const sealed = envelope.seal(storeKey, Buffer.from(value), sealing);
        expect(sealed.subarray(0, kmsPrefix('key-protect').length).toString()).toBe(
          'k8s:enc:kms:v2:key-protect:',
        );
        const opened = await envelope.open(storeKey, sealed, resolverFor(sealing.seed));
        expect(Buffer.compare(opened, Buffer.from(value))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('fails to open when any byte of the encrypted data is flipped', async () => {
    const envelope = new Envelope();
    const sealing = seedOf();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (value, at, flip) => {
          const storeKey = '/clusters/c1/registry/secrets/default/a';
          const sealed = envelope.seal(storeKey, Buffer.from(value), sealing);
          const prefixLength = kmsPrefix('key-protect').length;
          const object = decodeEncryptedObject(sealed.subarray(prefixLength));
          // Flip a byte inside encryptedData (salt, nonce, ciphertext or tag) and re-frame the object.
          const data = Buffer.from(object.encryptedData);
          const index = at % data.length;
          data[index] = (data[index] ?? 0) ^ flip;
          const tampered = Buffer.concat([
            sealed.subarray(0, prefixLength),
            Buffer.from(encodeEncryptedObject({ ...object, encryptedData: data })),
          ]);
          await expect(
            envelope.open(storeKey, tampered, resolverFor(sealing.seed)),
          ).rejects.toThrow();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails to open a value moved to another store key, or opened with a wrong seed', async () => {
    const envelope = new Envelope();
    const sealing = seedOf();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        storeKeyArb,
        storeKeyArb,
        async (value, storeKey, otherKey) => {
          fc.pre(storeKey !== otherKey);
          const sealed = envelope.seal(storeKey, Buffer.from(value), sealing);
          await expect(envelope.open(otherKey, sealed, resolverFor(sealing.seed))).rejects.toThrow(
            /failed authentication/,
          );
          await expect(
            envelope.open(storeKey, sealed, resolverFor(randomBytes(32))),
          ).rejects.toThrow(/failed authentication/);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails on any flipped byte anywhere in the stored value', async () => {
    const envelope = new Envelope();
    const sealing = seedOf();
    const storeKey = '/clusters/c1/registry/secrets/default/b';
    const value = Buffer.from('{"data":{"password":"c2VjcmV0"}}');
    const sealed = envelope.seal(storeKey, value, sealing);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: sealed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (index, flip) => {
          const tampered = Buffer.from(sealed);
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          const opened = await envelope
            .open(storeKey, tampered, resolverFor(sealing.seed, sealing))
            .catch(() => undefined);
          // A flip may break the prefix (then the value is not ours) or the framing, never yield the value.
          expect(opened === undefined || Buffer.compare(opened, value) !== 0).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('records the Kubernetes EncryptedObject fields and reuses one derived key across writes', () => {
    const envelope = new Envelope();
    const sealing = seedOf();
    const a = decodeEncryptedObject(envelope.seal('/k/a', Buffer.from('a'), sealing).subarray(27));
    const b = decodeEncryptedObject(envelope.seal('/k/b', Buffer.from('b'), sealing).subarray(27));
    expect(a.keyID).toBe('crk-1:v1');
    expect(Buffer.from(a.encryptedDEKSource)).toEqual(sealing.wrappedSeed);
    expect(a.encryptedDEKSourceType).toBe(DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED);
    // Same 32-byte HKDF info (one derivation), different nonces.
    expect(Buffer.from(a.encryptedData.subarray(0, 32))).toEqual(
      Buffer.from(b.encryptedData.subarray(0, 32)),
    );
    expect(Buffer.from(a.encryptedData.subarray(32, 44))).not.toEqual(
      Buffer.from(b.encryptedData.subarray(32, 44)),
    );
  });

  describe('derives a fresh key', () => {
    const infoOf = (envelope: Envelope, sealing: SealingSeed) =>
      Buffer.from(
        decodeEncryptedObject(
          envelope.seal('/k', Buffer.from('v'), sealing).subarray(27),
        ).encryptedData.subarray(0, 32),
      );

    it('once a minute: the derived key of the last 59.999 s is reused, not one a minute old', () => {
      let now = 0;
      const envelope = new Envelope(() => now);
      const sealing = seedOf();
      const first = infoOf(envelope, sealing);
      now = DERIVED_KEY_MAX_AGE_MS - 1;
      expect(infoOf(envelope, sealing)).toEqual(first);
      now = DERIVED_KEY_MAX_AGE_MS;
      expect(infoOf(envelope, sealing)).not.toEqual(first);
    });

    it('after its use bound: exactly maxUses writes share one derivation', () => {
      const envelope = new Envelope(() => 0, 3);
      const sealing = seedOf();
      const infos = Array.from({ length: 7 }, () => infoOf(envelope, sealing).toString('hex'));
      expect(infos.slice(0, 3)).toEqual(Array(3).fill(infos[0]));
      expect(infos.slice(3, 6)).toEqual(Array(3).fill(infos[3]));
      expect(new Set([infos[0], infos[3], infos[6]]).size).toBe(3);
    });

    it('per seed: another cluster’s seed never shares a derivation', () => {
      const envelope = new Envelope(() => 0);
      expect(infoOf(envelope, seedOf())).not.toEqual(infoOf(envelope, seedOf()));
    });
  });

  it('seals under a caller’s fresh DEK (NEW_DEK mode) and opens it with that DEK only', async () => {
    const envelope = new Envelope();
    const dek = randomBytes(32);
    const wrapped = randomBytes(40);
    const sealed = envelope.sealWithDek('/k/a', Buffer.from('v'), 'kp', 'crk-2:v3', dek, wrapped);
    const object = envelope.decode(sealed)?.object;
    expect(envelope.decode(sealed)?.providerName).toBe('kp');
    expect(object?.keyID).toBe('crk-2:v3');
    expect(Buffer.from(object?.encryptedDEKSource ?? [])).toEqual(wrapped);
    expect(object?.encryptedDEKSourceType).toBe(DekSourceType.AES_GCM_KEY);
    expect((await envelope.open('/k/a', sealed, resolverFor(dek))).toString()).toBe('v');
    await expect(envelope.open('/k/a', sealed, resolverFor(randomBytes(32)))).rejects.toThrow(
      'failed authentication',
    );
  });

  it('passes values without the KMS prefix through (identity, as before enablement)', async () => {
    const envelope = new Envelope();
    const plain = Buffer.from('{"kind":"Secret"}');
    expect(await envelope.open('/k', plain, resolverFor(randomBytes(32)))).toEqual(plain);
  });

  it('opens the upstream KMS v2 test vector: HKDF-Expand only, info ‖ nonce ‖ ciphertext ‖ tag', async () => {
    // k8s.io/apiserver v0.37.2, pkg/storage/value/encrypt/aes/aes_test.go,
    // TestExtendedNonceGCMLegacyDataCompatibility: the seed, and what the API server stored for
    // "pandas are the best" under the authenticated data "bamboo" (the store key).
    const seed = Buffer.from(
      '5d40323a820ff95561675e3b95e81867c5fdd561d35a88a2d08b08aa9d4fcf5c',
      'hex',
    );
    const encryptedData = Buffer.from(
      '2442759e33945fbad709db577a0f037fd8a709fc76979b8942209debcecb9d57efe3d6ff6a1ef6ee9a5003b98' +
        '33b3043cec1e47b35175b151107a8d2416b0e296bbf66b5d102fcefdf9a78f293d271',
      'hex',
    );
    const stored = storedSeedValue('upstream', 'k', encryptedData);
    const opened = await new Envelope().open('bamboo', stored, resolverFor(seed));
    expect(opened.toString()).toBe('pandas are the best');
    await expect(new Envelope().open('bambo0', stored, resolverFor(seed))).rejects.toThrow(
      /failed authentication/,
    );
  });

  it('still opens values sealed by the earlier derivation (HKDF with extract)', async () => {
    const seed = randomBytes(32);
    const info = randomBytes(32);
    const key = Buffer.from(hkdfSync('sha256', seed, info, 'keyhaven kms v2 dek', 32));
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(Buffer.from('/k/old'));
    const body = Buffer.concat([cipher.update('written before'), cipher.final()]);
    const stored = storedSeedValue(
      'key-protect',
      'crk-1:v1',
      Buffer.concat([info, nonce, body, cipher.getAuthTag()]),
    );
    const opened = await new Envelope().open('/k/old', stored, resolverFor(seed));
    expect(opened.toString()).toBe('written before');
  });
});

describe('the EncryptedObject codec', () => {
  it('reads the fields an API server left out as their protobuf defaults', () => {
    expect(decodeEncryptedObject(new Uint8Array())).toEqual({
      encryptedData: new Uint8Array(),
      keyID: '',
      encryptedDEKSource: new Uint8Array(),
      annotations: {},
      encryptedDEKSourceType: DekSourceType.AES_GCM_KEY,
    });
  });

  it('writes the fields at Kubernetes’ field numbers and reads back what it wrote', () => {
    const object = {
      encryptedData: Buffer.from('data'),
      keyID: 'k',
      encryptedDEKSource: Buffer.from('dek'),
      annotations: { 'a.io': Buffer.from('v') },
      encryptedDEKSourceType: DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED,
    };
    const bytes = Buffer.from(encodeEncryptedObject(object));
    // 1: bytes "data", 2: string "k", 3: bytes "dek", 4: map entry {1: "a.io", 2: "v"}, 5: varint 1
    expect(bytes.toString('hex')).toBe(
      '0a0464617461' + '12016b' + '1a0364656b' + '22090a04612e696f120176' + '2801',
    );
    const back = decodeEncryptedObject(bytes);
    expect(back.keyID).toBe('k');
    expect(Buffer.from(back.encryptedData)).toEqual(object.encryptedData);
    expect(Buffer.from(back.encryptedDEKSource)).toEqual(object.encryptedDEKSource);
    expect(Buffer.from(back.annotations['a.io'] ?? [])).toEqual(Buffer.from('v'));
    expect(back.encryptedDEKSourceType).toBe(DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED);
  });

  it('throws on bytes that are not an EncryptedObject', () => {
    expect(() => decodeEncryptedObject(Buffer.from([0x0a, 0x50, 0x01]))).toThrow();
  });
});

describe('what the envelope refuses to open', () => {
  const envelope = new Envelope();
  const opening = (value: Buffer) =>
    envelope.open('/k/a', value, resolverFor(randomBytes(32))).then(
      () => 'opened',
      (err: Error) => `${err.name}: ${err.message}`,
    );

  it('reads the provider only from a whole KMS v2 prefix', () => {
    expect(parseKmsPrefix(Buffer.from('k8s:enc:kms:v2:key-protect:rest'))).toBe('key-protect');
    expect(parseKmsPrefix(Buffer.from('k8s:enc:kms:v2:'))).toBeUndefined();
    expect(parseKmsPrefix(Buffer.from('k8s:enc:kms:v2:x:'))).toBe('x');
    expect(parseKmsPrefix(Buffer.from('k8s:enc:kms:v1:key-protect:rest'))).toBeUndefined();
    expect(parseKmsPrefix(Buffer.from('x8s:enc:kms:v2:key-protect:rest'))).toBeUndefined();
    expect(parseKmsPrefix(Buffer.from('{"kind":"Secret","data":{}}'))).toBeUndefined();
    expect(parseKmsPrefix(Buffer.alloc(0))).toBeUndefined();
  });

  it('names a value too short to hold its nonce and tag, or its derivation info', async () => {
    const seeded = storedSeedValue('key-protect', 'crk-1:v1', randomBytes(31));
    expect(await opening(seeded)).toBe('EnvelopeError: ciphertext is too short');
    const bare = Buffer.concat([
      Buffer.from(kmsPrefix('key-protect')),
      encodeEncryptedObject({
        encryptedData: randomBytes(27),
        keyID: 'crk-1:v1',
        encryptedDEKSource: Buffer.from('wrapped'),
        annotations: {},
        encryptedDEKSourceType: DekSourceType.AES_GCM_KEY,
      }),
    ]);
    expect(await opening(bare)).toBe('EnvelopeError: ciphertext is too short');
  });

  it('names a value whose frame is not an EncryptedObject', async () => {
    const broken = Buffer.concat([
      Buffer.from(kmsPrefix('key-protect')),
      Buffer.from([0x0a, 0x50]),
    ]);
    expect(await opening(broken)).toBe(
      'EnvelopeError: the stored value is not a valid encrypted object',
    );
  });
});
