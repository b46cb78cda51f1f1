import { createHash, timingSafeEqual } from 'node:crypto';

const HASH = 'sha256';
const H_LEN = 32;

function mgf1(seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  const counter = Buffer.alloc(4);
  // Stryker disable next-line EqualityOperator: a block past the end copies nothing (equivalent)
  for (let done = 0, i = 0; done < length; i++, done += H_LEN) {
    counter.writeUInt32BE(i);
    createHash(HASH).update(seed).update(counter).digest().copy(out, done);
  }
  return out;
}

const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((byte, i) => byte ^ (b[i] as number)));

/**
 * EME-OAEP decoding with SHA-256 and MGF1-SHA-256, an empty label (RFC 8017, 7.1.2 step 3), of
 * the encoded message a token's raw RSA decryption (CKM_RSA_X_509) gives: for tokens whose OAEP
 * takes only SHA-1 (SoftHSM2), the private key stays in the token and only the padding is removed
 * here. Every malformed message gives the same answer, undefined, after the same work.
 */
export function oaepDecode(encoded: Buffer, modulusBytes: number): Buffer | undefined {
  if (modulusBytes < 2 * H_LEN + 2 || encoded.length > modulusBytes) return undefined;
  // A raw decryption may drop leading zero bytes.
  const em = Buffer.concat([Buffer.alloc(modulusBytes - encoded.length), encoded]);
  const maskedSeed = em.subarray(1, 1 + H_LEN);
  const maskedDb = em.subarray(1 + H_LEN);
  const seed = xor(maskedSeed, mgf1(maskedDb, H_LEN));
  const db = xor(maskedDb, mgf1(seed, maskedDb.length));
  const labelHash = createHash(HASH).digest();
  let good = timingSafeEqual(db.subarray(0, H_LEN), labelHash) ? 1 : 0;
  good &= em[0] === 0 ? 1 : 0;
  // The first non-zero byte after the label hash must be 0x01; look at every byte all the same.
  let start = 0;
  let inPadding = 1;
  // Stryker disable next-line EqualityOperator: a byte past the end only fails what has no 0x01
  for (let i = H_LEN; i < db.length; i++) {
    const byte = db[i] as number;
    const isOne = byte === 1 ? 1 : 0;
    const isZero = byte === 0 ? 1 : 0;
    if (inPadding && isOne) start = i + 1;
    good &= inPadding & (isOne | isZero) ? 1 : inPadding ? 0 : 1;
    inPadding &= isZero;
  }
  good &= start > 0 ? 1 : 0;
  seed.fill(0);
  const message = good ? Buffer.from(db.subarray(start)) : undefined;
  db.fill(0);
  return message;
}
