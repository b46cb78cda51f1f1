import type { KeyAdapterName } from '@keyhaven/contracts';

/**
 * Where root keys live. Implementations keep key material to themselves (R13): the engine holds
 * only opaque handles and asks the adapter to wrap and unwrap DEK seeds.
 */
export interface KeyAdapter {
  readonly name: KeyAdapterName;
  /** Creates a new AES-256 key; label names the root-key version it serves. */
  createKey(label: string): Promise<string>;
  /** AES-GCM inside the adapter; aad binds the wrapped value to its use. */
  wrap(handle: string, plaintext: Buffer, aad: Buffer): Promise<Buffer>;
  unwrap(handle: string, wrapped: Buffer, aad: Buffer): Promise<Buffer>;
  /**
   * Makes an RSA-4096 key pair for an import token; its private key never leaves the adapter.
   * Returns the pair's handle and its public key (SPKI, DER).
   */
  createImportPair(label: string): Promise<{ handle: string; publicKey: Buffer }>;
  /**
   * Imports a root key: opens `payload` (RSA-OAEP with SHA-256) with the pair's private key,
   * lets `accept` check the material (it throws to refuse it), and keeps it as a new key, the
   * handle of which it returns. The material is zeroed as soon as it is kept or refused.
   */
  importKey(
    pairHandle: string,
    payload: Buffer,
    label: string,
    accept: (material: Buffer) => void,
  ): Promise<string>;
  /** Removes a key or an import pair; a handle already gone is not an error. */
  destroy(handle: string): Promise<void>;
  /** Throws KeyAdapterError when the adapter cannot serve requests. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export type KeyAdapterErrorCode =
  | 'KEY_MISSING'
  | 'UNWRAP_FAILED'
  /** An import's payload does not open with the import pair's private key. */
  | 'IMPORT_PAYLOAD_INVALID'
  | 'ADAPTER_UNAVAILABLE'
  | 'HSM_TOKEN_NOT_FOUND'
  | 'HSM_LOGIN_FAILED';

export class KeyAdapterError extends Error {
  constructor(
    readonly code: KeyAdapterErrorCode,
    message: string,
    /** Whether trying again later may succeed (the adapter, not the request, is at fault). */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'KeyAdapterError';
  }
}
