import { constants, createCipheriv, publicEncrypt, randomBytes } from 'node:crypto';
import { IMPORT_ALGORITHM, IMPORT_KEY_BYTES } from './import-tokens.ts';

/** What `POST /api/v2/keys` takes to import a key (beside its name). */
export interface WrappedImport {
  payload: string;
  encryptedNonce: string;
  iv: string;
  encryptionAlgorithm: typeof IMPORT_ALGORITHM;
}

/**
 * The client's half of bring-your-own-key, as Key Protect's clients do it (kp-go's EncryptKey
 * and EncryptNonce): the material wrapped with RSA-OAEP-SHA-256 under the import token's public
 * key (`payload`: base64 of its PEM), and the token's nonce sealed with AES-GCM under the
 * material. Node only (the CLI and tests); the console does not import keys.
 */
export function wrapForImport(
  material: Buffer,
  token: { payload: string; nonce: string },
): WrappedImport {
  if (!(IMPORT_KEY_BYTES as readonly number[]).includes(material.length))
    throw new Error(
      `key material must be 16, 24 or 32 bytes (AES-128, -192 or -256); it is ${material.length}`,
    );
  const pem = Buffer.from(token.payload, 'base64').toString();
  const payload = publicEncrypt(
    { key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    material,
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv(`aes-${material.length * 8}-gcm` as 'aes-256-gcm', material, iv);
  const sealed = Buffer.concat([
    cipher.update(Buffer.from(token.nonce, 'base64')),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return {
    payload: payload.toString('base64'),
    encryptedNonce: sealed.toString('base64'),
    iv: iv.toString('base64'),
    encryptionAlgorithm: IMPORT_ALGORITHM,
  };
}
