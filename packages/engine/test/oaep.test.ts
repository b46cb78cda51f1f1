import {
  constants,
  createHash,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { oaepDecode } from '../src/keys/oaep.ts';

/** The padding half of RSA-OAEP-SHA-256 that the PKCS#11 import path does outside the token. */
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const K = 256;
const encrypt = (message: Buffer, oaepHash = 'sha256') =>
  publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, message);
/** What a token's CKM_RSA_X_509 decryption gives: the encoded message, padding and all. */
const raw = (ciphertext: Buffer) =>
  privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);

const sha256 = (...parts: Buffer[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const mgf1 = (seed: Buffer, length: number) => {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < length; i++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(i);
    blocks.push(sha256(seed, counter));
  }
  return Buffer.concat(blocks).subarray(0, length);
};
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((x, i) => x ^ (b[i] as number)));
/** Encodes as RFC 8017 says, with the data block given: for blocks a sender may not make. */
function encode(db: Buffer, first = 0): Buffer {
  const seed = randomBytes(32);
  const maskedDb = xor(db, mgf1(seed, db.length));
  return Buffer.concat([Buffer.from([first]), xor(seed, mgf1(maskedDb, 32)), maskedDb]);
}
const block = (ps: Buffer, message: Buffer, label = sha256()) =>
  Buffer.concat([label, ps, message]);
const PS = (n: number) => Buffer.alloc(n);

describe('EME-OAEP decoding (SHA-256, MGF1-SHA-256)', () => {
  it('gives back what Node’s RSA-OAEP-SHA-256 encrypted, of any size it takes', () => {
    for (const size of [0, 1, 16, 24, 32, 190]) {
      const message = randomBytes(size);
      expect(oaepDecode(raw(encrypt(message)), K)).toEqual(message);
    }
  });

  it('takes an encoded message whose leading zero bytes a token dropped', () => {
    const message = randomBytes(32);
    const em = raw(encrypt(message));
    expect(em[0]).toBe(0);
    expect(oaepDecode(em.subarray(1), K)).toEqual(message);
  });

  it('refuses SHA-1 OAEP, a changed byte anywhere, and a message longer than the modulus', () => {
    const message = randomBytes(32);
    expect(oaepDecode(raw(encrypt(message, 'sha1')), K)).toBeUndefined();
    const em = raw(encrypt(message));
    for (const at of [0, 1, 20, 33, 40, 64, 128, 200, K - 33]) {
      const changed = Buffer.from(em);
      changed[at] = (changed[at] as number) ^ 0x01;
      expect(oaepDecode(changed, K), `byte ${at}`).toBeUndefined();
    }
    expect(oaepDecode(Buffer.concat([Buffer.alloc(1), em]), K)).toBeUndefined();
    expect(oaepDecode(em.subarray(0, 65), 65)).toBeUndefined();
  });

  it('refuses padding without its 0x01 separator or with other bytes before it', () => {
    expect(oaepDecode(Buffer.alloc(K), K)).toBeUndefined();
    expect(oaepDecode(randomBytes(K), K)).toBeUndefined();
  });

  it('reads the data block as RFC 8017 lays it out, and nothing else', () => {
    const message = Buffer.from('0123456789abcdef0123456789abcdef');
    const pad = K - 1 - 32 - 32 - 1 - message.length;
    const good = block(Buffer.concat([PS(pad), Buffer.from([1])]), message);
    expect(oaepDecode(encode(good), K)).toEqual(message);
    // The message may itself hold 0x01 and 0x00 bytes: only the first 0x01 separates.
    const tricky = Buffer.from([1, 0, 1, 2]);
    const trickyBlock = block(
      Buffer.concat([PS(K - 1 - 64 - 1 - tricky.length), Buffer.from([1])]),
      tricky,
    );
    expect(oaepDecode(encode(trickyBlock), K)).toEqual(tricky);
    // No padding at all: the separator right after the label hash.
    const full = randomBytes(K - 1 - 64 - 1);
    expect(oaepDecode(encode(block(Buffer.from([1]), full)), K)).toEqual(full);
    // A first byte other than zero, another label, a 0x02 in the padding, no separator.
    expect(oaepDecode(encode(good, 1), K)).toBeUndefined();
    expect(
      oaepDecode(
        encode(
          block(Buffer.concat([PS(pad), Buffer.from([1])]), message, sha256(Buffer.from('x'))),
        ),
        K,
      ),
    ).toBeUndefined();
    const stray = Buffer.concat([PS(pad - 1), Buffer.from([2, 1])]);
    expect(oaepDecode(encode(block(stray, message)), K)).toBeUndefined();
    expect(oaepDecode(encode(block(PS(K - 1 - 64), Buffer.alloc(0))), K)).toBeUndefined();
    expect(oaepDecode(encode(block(PS(pad + 1), message)), K)).toBeUndefined();
  });

  it('needs a modulus of at least two hashes and two bytes', () => {
    const smallest = 2 * 32 + 2;
    const db = block(Buffer.from([1]), Buffer.alloc(0));
    expect(db.length).toBe(smallest - 33);
    expect(oaepDecode(encode(db), smallest)).toEqual(Buffer.alloc(0));
    expect(
      oaepDecode(encode(block(Buffer.alloc(0), Buffer.alloc(0))), smallest - 1),
    ).toBeUndefined();
    // Smaller still: refused, not thrown (a block shorter than the label hash).
    for (const k of [10, 64, 65]) expect(oaepDecode(randomBytes(k), k)).toBeUndefined();
  });
});
