import pkcs11js from 'pkcs11js';
import { KeyAdapterError, type KeyAdapterErrorCode } from './types.ts';

// The PKCS#11 adapter's settings, return-code classes and object templates.

export interface Pkcs11Settings {
  /** Path of the PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  modulePath: string;
  tokenLabel: string;
  /** The user PIN; never logged, never part of an error. */
  pin: string;
  /** Reconnect attempts after the token or the library fails (the seed's MAX_RETRIES). */
  maxRetries: number;
  /** First backoff delay; doubles on each retry. */
  retryDelayMs: number;
}

export const defaultPkcs11Settings = {
  modulePath: '/usr/lib/softhsm/libsofthsm2.so',
  maxRetries: 3,
  retryDelayMs: 100,
} as const;

export const IV_BYTES = 12;
/** Import pairs are RSA-4096: a payload is exactly one 512-byte block. */
export const RSA_BYTES = 512;
export const TAG_BYTES = 16;

/** Return codes after which a fresh library, session and login may succeed. */
export const RECONNECT = new Set([
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_DEVICE_MEMORY,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_TOKEN_NOT_RECOGNIZED,
  pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
  pkcs11js.CKR_OBJECT_HANDLE_INVALID,
  pkcs11js.CKR_KEY_HANDLE_INVALID,
  pkcs11js.CKR_GENERAL_ERROR,
]);

export const PIN_REFUSED = new Set([
  pkcs11js.CKR_PIN_INCORRECT,
  pkcs11js.CKR_PIN_LOCKED,
  pkcs11js.CKR_PIN_EXPIRED,
  pkcs11js.CKR_PIN_INVALID,
  pkcs11js.CKR_PIN_LEN_RANGE,
]);

export const returnCode = (err: unknown): number | undefined =>
  err instanceof pkcs11js.Pkcs11Error ? err.code : undefined;

export const fail = (code: KeyAdapterErrorCode, message: string, retryable = true) =>
  new KeyAdapterError(code, message, retryable);

/** A root key as a token object: private, sensitive, never extractable, for AES-GCM only. */
export const secretKeyTemplate = (label: string, handle: string): pkcs11js.Template => [
  { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
  { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
  { type: pkcs11js.CKA_TOKEN, value: true },
  { type: pkcs11js.CKA_PRIVATE, value: true },
  { type: pkcs11js.CKA_SENSITIVE, value: true },
  { type: pkcs11js.CKA_EXTRACTABLE, value: false },
  { type: pkcs11js.CKA_ENCRYPT, value: true },
  { type: pkcs11js.CKA_DECRYPT, value: true },
  { type: pkcs11js.CKA_WRAP, value: false },
  { type: pkcs11js.CKA_UNWRAP, value: false },
  { type: pkcs11js.CKA_SIGN, value: false },
  { type: pkcs11js.CKA_VERIFY, value: false },
  { type: pkcs11js.CKA_LABEL, value: label },
  { type: pkcs11js.CKA_ID, value: Buffer.from(handle) },
];

/** An RSA-4096 pair for an import token: the private half private, sensitive, never extractable. */
export const importPairTemplates = (
  label: string,
  handle: string,
): [pkcs11js.Template, pkcs11js.Template] => {
  const id = { type: pkcs11js.CKA_ID, value: Buffer.from(handle) };
  return [
    [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_MODULUS_BITS, value: 4096 },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_LABEL, value: label },
      id,
    ],
    [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_DECRYPT, value: true },
      { type: pkcs11js.CKA_UNWRAP, value: true },
      { type: pkcs11js.CKA_SIGN, value: false },
      { type: pkcs11js.CKA_LABEL, value: label },
      id,
    ],
  ];
};
