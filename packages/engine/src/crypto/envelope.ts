import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomFillSync,
} from 'node:crypto';
import { LRUCache } from 'lru-cache';
import {
  DekSourceType,
  decodeEncryptedObject,
  encodeEncryptedObject,
  type EncryptedObject,
} from './encrypted-object.ts';

export const kmsPrefix = (providerName: string) => `k8s:enc:kms:v2:${providerName}:`;
const PREFIX_RE = /^k8s:enc:kms:v2:([a-z0-9-]+):/;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const INFO_BYTES = 32;
/** The info of the derivation Keyhaven used before it matched kube-apiserver's (see openSeeded). */
const LEGACY_HKDF_INFO = Buffer.from('keyhaven kms v2 dek');
const EXPAND_COUNTER = Buffer.from([1]);

/**
 * A derived key is reused for at most 2^20 writes. Each write still draws its own random 96-bit
 * nonce; NIST SP 800-38D bounds random nonces to 2^32 uses per key (collision odds about 2^-32),
 * so 2^20 keeps the collision probability near 2^-53 while the HKDF cost is paid once per million.
 */
export const DERIVED_KEY_MAX_USES = 2 ** 20;
export const DERIVED_KEY_MAX_AGE_MS = 60_000;

/** The unwrapped seed of one cluster + root-key version, with what a write must record. */
export interface SealingSeed {
  providerName: string;
  keyId: string;
  seed: Buffer;
  wrappedSeed: Buffer;
}

export interface OpenContext {
  /** Returns the plaintext seed (or DEK) for a stored value; throws when it cannot. */
  resolve(
    keyId: string,
    encryptedDEKSource: Buffer,
    type: DekSourceType,
    providerName: string,
  ): Promise<Buffer>;
}

interface DerivedKey {
  key: Buffer;
  info: Buffer;
  uses: number;
  createdAt: number;
}

export interface DecodedValue {
  providerName: string;
  object: EncryptedObject;
}

export class EnvelopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

/** A Buffer over the same bytes (no copy): protobuf and worker messages hand out Uint8Arrays. */
export const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function parseKmsPrefix(stored: Buffer): string | undefined {
  return PREFIX_RE.exec(stored.subarray(0, 64).toString('latin1'))?.[1];
}

/**
 * kube-apiserver's key derivation (k8s.io/apiserver aes_extended_nonce.go, sha256KDFExpandOnly):
 * HKDF-Expand with SHA-256, the seed as the pseudorandom key and the stored 32 random bytes as
 * info, 32 bytes out. There is no Extract step, so node:crypto's hkdf (which always extracts)
 * cannot be used; 32 bytes are exactly one HMAC block: T(1) = HMAC(seed, info ‖ 0x01).
 */
export function deriveKey(seed: Buffer, info: Buffer): Buffer {
  return createHmac('sha256', seed).update(info).update(EXPAND_COUNTER).digest();
}

/** Keyhaven's derivation before 2026-11 (HKDF with extract, salt = info): read-only fallback. */
function deriveLegacyKey(seed: Buffer, info: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', seed, info, LEGACY_HKDF_INFO, 32));
}

/**
 * Random nonces drawn from the CSPRNG in bulk: one randomFillSync per 4,096 nonces instead of a
 * system call per write. Every nonce is still 96 fresh random bits, used once.
 */
const NONCE_POOL_SIZE = NONCE_BYTES * 4096;
const noncePool = Buffer.alloc(NONCE_POOL_SIZE);
let noncePoolOffset = NONCE_POOL_SIZE;

function freshNonce(): Buffer {
  // Stryker disable next-line ConditionalExpression: refilling early only costs time (equivalent)
  if (noncePoolOffset === NONCE_POOL_SIZE) {
    randomFillSync(noncePool);
    noncePoolOffset = 0;
  }
  // A copy, so that the next refill cannot change a nonce still referenced by a caller.
  const nonce = Buffer.from(noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES));
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

function aesGcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer, prefix: Buffer): Buffer {
  const nonce = freshNonce();
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([prefix, nonce, head, tail, cipher.getAuthTag()]);
}

function aesGcmOpen(key: Buffer, data: Buffer, aad: Buffer): Buffer {
  if (data.length < NONCE_BYTES + TAG_BYTES) throw new EnvelopeError('ciphertext is too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad);
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new EnvelopeError(
      'the stored value failed authentication (wrong key, or tampered or moved value)',
    );
  }
}

/**
 * KMS v2 envelope encryption, byte for byte as kube-apiserver writes it: values are sealed with
 * AES-256-GCM under a key derived by HKDF-Expand (SHA-256) from the cluster's DEK seed and
 * 32 random bytes stored in front of the nonce.
 * The secret's store key is the additional authenticated data, so a moved value fails to open.
 */
export class Envelope {
  private readonly sealingKeys = new WeakMap<Buffer, DerivedKey>();
  /** Derived keys for opening, by seed and info: values sealed together share one derivation. */
  private readonly openingKeys = new LRUCache<string, Buffer>({ max: 4096 });

  /** `maxUses` is DERIVED_KEY_MAX_USES but for tests, which cannot seal a million values. */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxUses = DERIVED_KEY_MAX_USES,
  ) {}

  private sealingKey(seed: Buffer): DerivedKey {
    const current = this.sealingKeys.get(seed);
    const now = this.now();
    if (
      current &&
      current.uses < this.maxUses &&
      now - current.createdAt < DERIVED_KEY_MAX_AGE_MS
    ) {
      current.uses += 1;
      return current;
    }
    const info = randomBytes(INFO_BYTES);
    const fresh = { key: deriveKey(seed, info), info, uses: 1, createdAt: now };
    this.sealingKeys.set(seed, fresh);
    return fresh;
  }

  /** Seals under the seed (one HKDF per 2^20 writes or minute, no key-adapter call). */
  seal(storeKey: string, plaintext: Buffer, seed: SealingSeed): Buffer {
    const derived = this.sealingKey(seed.seed);
    const encryptedData = aesGcmSeal(derived.key, plaintext, Buffer.from(storeKey), derived.info);
    return this.frame(seed.providerName, {
      encryptedData,
      keyID: seed.keyId,
      encryptedDEKSource: seed.wrappedSeed,
      encryptedDEKSourceType: DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED,
    });
  }

  /** Seals under a fresh DEK that the caller already wrapped (the NEW_DEK comparison mode). */
  sealWithDek(
    storeKey: string,
    plaintext: Buffer,
    providerName: string,
    keyId: string,
    dek: Buffer,
    wrappedDek: Buffer,
  ): Buffer {
    const encryptedData = aesGcmSeal(dek, plaintext, Buffer.from(storeKey), Buffer.alloc(0));
    return this.frame(providerName, {
      encryptedData,
      keyID: keyId,
      encryptedDEKSource: wrappedDek,
      encryptedDEKSourceType: DekSourceType.AES_GCM_KEY,
    });
  }

  private frame(
    providerName: string,
    object: Omit<Parameters<typeof encodeEncryptedObject>[0], 'annotations'>,
  ): Buffer {
    const body = encodeEncryptedObject({ ...object, annotations: {} });
    return Buffer.concat([Buffer.from(kmsPrefix(providerName)), body]);
  }

  /** Parses a stored value's frame; undefined for values stored plain (identity). */
  decode(stored: Buffer): DecodedValue | undefined {
    const providerName = parseKmsPrefix(stored);
    if (!providerName) return undefined;
    try {
      return {
        providerName,
        object: decodeEncryptedObject(stored.subarray(kmsPrefix(providerName).length)),
      };
    } catch {
      throw new EnvelopeError('the stored value is not a valid encrypted object');
    }
  }

  /** Describes a stored value without opening it. */
  inspect(stored: Buffer): { providerName: string; keyId: string } | undefined {
    const decoded = this.decode(stored);
    return decoded && { providerName: decoded.providerName, keyId: decoded.object.keyID };
  }

  /** Opens a stored value; values without the KMS prefix were stored plain (identity). */
  async open(storeKey: string, stored: Buffer, context: OpenContext): Promise<Buffer> {
    return this.openDecoded(storeKey, stored, this.decode(stored), context);
  }

  /** Opens a value already decoded with decode(), so a caller that inspected it parses it once. */
  async openDecoded(
    storeKey: string,
    stored: Buffer,
    decoded: DecodedValue | undefined,
    context: OpenContext,
  ): Promise<Buffer> {
    if (!decoded) return stored;
    const { providerName, object } = decoded;
    const data = asBuffer(object.encryptedData);
    const source = asBuffer(object.encryptedDEKSource);
    const secret = await context.resolve(
      object.keyID,
      source,
      object.encryptedDEKSourceType,
      providerName,
    );
    const aad = Buffer.from(storeKey);
    if (object.encryptedDEKSourceType === DekSourceType.AES_GCM_KEY)
      return aesGcmOpen(secret, data, aad);
    return this.openSeeded(secret, data, aad);
  }

  /**
   * Opens info ‖ nonce ‖ ciphertext ‖ tag under a seed. A value that fails authentication is
   * tried once more under the derivation Keyhaven used before it matched kube-apiserver's, so a
   * data directory written then still reads; every re-encryption rewrites it in today's format.
   */
  private openSeeded(seed: Buffer, data: Buffer, aad: Buffer): Buffer {
    // Shorter than its info, the rest is shorter than a nonce and tag: aesGcmOpen names it.
    const info = data.subarray(0, INFO_BYTES);
    const sealed = data.subarray(INFO_BYTES);
    const cacheKey = seed.toString('base64') + info.toString('base64');
    const known = this.openingKeys.get(cacheKey);
    // Stryker disable next-line ConditionalExpression: deriving again only costs time (equivalent)
    if (known) return aesGcmOpen(known, sealed, aad);
    let key = deriveKey(seed, info);
    let plaintext: Buffer;
    try {
      plaintext = aesGcmOpen(key, sealed, aad);
    } catch {
      key = deriveLegacyKey(seed, info);
      plaintext = aesGcmOpen(key, sealed, aad);
    }
    this.openingKeys.set(cacheKey, key);
    return plaintext;
  }
}
