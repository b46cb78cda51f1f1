import {
  constants,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPair,
  privateDecrypt,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { promisify } from 'node:util';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Store } from '../store/types.ts';
import { KeyAdapterError, type KeyAdapter } from './types.ts';

const MATERIAL_PREFIX = '/keyhaven/key-material/';

/** AES-GCM of the key's size: imported root keys may be AES-128 or AES-192. */
const gcmOf = (key: Buffer) => `aes-${key.length * 8}-gcm` as 'aes-256-gcm';

export function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv(gcmOf(key), key, nonce);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Returns undefined when the value was not sealed with this key and aad. */
export function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer | undefined {
  if (sealed.length < 28) return undefined;
  try {
    const decipher = createDecipheriv(gcmOf(key), key, sealed.subarray(0, 12));
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([
      decipher.update(sealed.subarray(12, sealed.length - 16)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}

/** Reads the local key-encryption key, creating it (mode 0600) on first start. */
export function loadOrCreateKek(path: string): Buffer {
  if (!existsSync(path)) {
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(path).mode & 0o777;
  try {
    if (mode & 0o077) chmodSync(path, 0o600);
  } catch {
    // A read-only mount (a Kubernetes Secret, group-readable for fsGroup) keeps the mode it has.
  }
  const kek = readFileSync(path);
  if (kek.length !== 32)
    throw new Error(`key-encryption key file ${path} must hold exactly 32 bytes`);
  return kek;
}

/**
 * The embedded default: root-key material is random and kept in the store only wrapped under a
 * local key-encryption key. Material never leaves this class.
 */
export class SoftwareKeyAdapter implements KeyAdapter {
  readonly name = 'software' as const;
  private readonly material = new Map<string, Buffer>();

  constructor(
    private readonly store: Store,
    private readonly kek: Buffer,
  ) {}

  async createKey(label: string): Promise<string> {
    const handle = `sw-${randomUUID()}`;
    const key = randomBytes(32);
    await this.keep(handle, label, key);
    this.material.set(handle, key);
    return handle;
  }

  /** Stores material sealed under the key-encryption key, bound to its handle. */
  private async keep(handle: string, label: string, material: Buffer) {
    const wrapped = gcmSeal(this.kek, material, Buffer.from(handle));
    await this.store.txn(
      [{ key: MATERIAL_PREFIX + handle, modRevision: 0 }],
      [
        {
          type: 'put',
          key: MATERIAL_PREFIX + handle,
          value: Buffer.from(JSON.stringify({ label, wrapped: wrapped.toString('base64') })),
        },
      ],
    );
  }

  async createImportPair(label: string): Promise<{ handle: string; publicKey: Buffer }> {
    const handle = `sw-import-${randomUUID()}`;
    const pair = await promisify(generateKeyPair)('rsa', {
      modulusLength: 4096,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    const privateKey = pair.privateKey as unknown as Buffer;
    try {
      await this.keep(handle, label, privateKey);
    } finally {
      privateKey.fill(0);
    }
    return { handle, publicKey: pair.publicKey as unknown as Buffer };
  }

  async importKey(
    pairHandle: string,
    payload: Buffer,
    label: string,
    accept: (material: Buffer) => void,
  ): Promise<string> {
    // Each import opens its own copy of the private key: zeroing it cannot reach another's.
    const der = await this.load(pairHandle);
    let material: Buffer;
    try {
      const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      material = privateDecrypt(
        { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        payload,
      );
    } catch {
      throw new KeyAdapterError(
        'IMPORT_PAYLOAD_INVALID',
        "the payload does not open with the import token's private key",
        false,
      );
    } finally {
      der.fill(0);
    }
    try {
      accept(material);
      const handle = `sw-${randomUUID()}`;
      await this.keep(handle, label, material);
      return handle;
    } finally {
      material.fill(0);
    }
  }

  private forget(handle: string) {
    this.material.get(handle)?.fill(0);
    this.material.delete(handle);
  }

  private async key(handle: string): Promise<Buffer> {
    const cached = this.material.get(handle);
    if (cached) return cached;
    const key = await this.load(handle);
    this.material.set(handle, key);
    return key;
  }

  /** Reads and opens stored material, uncached: the caller owns (and zeroes) the copy. */
  private async load(handle: string): Promise<Buffer> {
    const kv = await this.store.get(MATERIAL_PREFIX + handle);
    if (!kv)
      throw new KeyAdapterError(
        'KEY_MISSING',
        `key ${handle} does not exist in the key adapter`,
        false,
      );
    const { wrapped } = JSON.parse(kv.value.toString()) as { wrapped: string };
    const key = gcmOpen(this.kek, Buffer.from(wrapped, 'base64'), Buffer.from(handle));
    if (!key)
      throw new KeyAdapterError(
        'ADAPTER_UNAVAILABLE',
        'the local key-encryption key does not open the stored key material',
        false,
      );
    return key;
  }

  async wrap(handle: string, plaintext: Buffer, aad: Buffer): Promise<Buffer> {
    return gcmSeal(await this.key(handle), plaintext, aad);
  }

  async unwrap(handle: string, wrapped: Buffer, aad: Buffer): Promise<Buffer> {
    const plain = gcmOpen(await this.key(handle), wrapped, aad);
    if (!plain)
      throw new KeyAdapterError(
        'UNWRAP_FAILED',
        'the wrapped value does not open with this key',
        false,
      );
    return plain;
  }

  async destroy(handle: string): Promise<void> {
    this.forget(handle);
    await this.store.txn([], [{ type: 'delete', key: MATERIAL_PREFIX + handle }]);
  }

  async check(): Promise<void> {
    await this.store.ping();
  }

  async close(): Promise<void> {
    for (const key of this.material.values()) key.fill(0);
    this.material.clear();
  }
}
