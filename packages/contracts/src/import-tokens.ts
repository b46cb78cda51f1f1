import { z } from 'zod';

/** Key Protect's import tokens: an RSA-4096 public key and a nonce to bring in a root key. */
export const IMPORT_TOKEN_EXPIRATION = { min: 300, max: 86_400, default: 600 } as const;
export const IMPORT_TOKEN_RETRIEVALS = { max: 500, default: 1 } as const;
/** The only wrapping Keyhaven takes: RSA-OAEP with SHA-256 (and MGF1-SHA-256). */
export const IMPORT_ALGORITHM = 'RSAES_OAEP_SHA_256';
/** Root-key sizes an import may bring, in bytes (AES-128, AES-192, AES-256). */
export const IMPORT_KEY_BYTES = [16, 24, 32] as const;

export const ImportTokenCreateRequest = z.object({
  expiration: z
    .number()
    .int()
    .min(IMPORT_TOKEN_EXPIRATION.min)
    .max(IMPORT_TOKEN_EXPIRATION.max)
    .optional(),
  maxAllowedRetrievals: z.number().int().min(1).max(IMPORT_TOKEN_RETRIEVALS.max).optional(),
});
export type ImportTokenCreateRequest = z.infer<typeof ImportTokenCreateRequest>;

/** An import token's terms (POST's answer). */
export const ImportToken = z.object({
  expiration: z.number().int(),
  maxAllowedRetrievals: z.number().int(),
  creationDate: z.string(),
  expirationDate: z.string(),
  remainingRetrievals: z.number().int(),
});
export type ImportToken = z.infer<typeof ImportToken>;

/** GET's answer: the terms, the public key (base64 of a PKIX PEM) and the nonce (base64). */
export const ImportTokenRetrieval = ImportToken.extend({
  payload: z.string(),
  nonce: z.string(),
});
export type ImportTokenRetrieval = z.infer<typeof ImportTokenRetrieval>;

const base64 = (max: number) => z.base64().min(4).max(max);

/**
 * What `POST /api/v2/keys` adds to import a key: the material wrapped under the token's public
 * key, and the token's nonce sealed with AES-GCM under the material itself (`iv` its nonce).
 */
export const KeyImportFields = z.object({
  payload: base64(1_024).optional(),
  encryptedNonce: base64(256).optional(),
  iv: base64(64).optional(),
  encryptionAlgorithm: z.literal(IMPORT_ALGORITHM).optional(),
});
