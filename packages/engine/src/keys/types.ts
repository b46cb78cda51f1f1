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
  destroy(handle: string): Promise<void>;
  /** Throws KeyAdapterError when the adapter cannot serve requests. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export type KeyAdapterErrorCode =
  | 'KEY_MISSING'
  | 'UNWRAP_FAILED'
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
