import { randomBytes } from 'node:crypto';
import type { UnwrapRequest, UnwrapResponse, WrapRequest, WrapResponse } from '@keyhaven/contracts';
import type { EngineContext } from './context.ts';
import { EngineError, conflict } from './errors.ts';
import type { Principal } from './iam.ts';
import { adapterFailure, requireUsableKey, type Keys } from './keys.ts';
import type { RootKeyRecord } from './records.ts';

const invalidCiphertext = (message = 'The ciphertext was not produced by this key.') =>
  new EngineError(400, 'INVALID_CIPHERTEXT', message, { field: 'ciphertext' });

/** The wrapped form Key Protect hands out: the key version that wrapped, and the adapter's bytes. */
function parseWrapped(ciphertext: string): { v?: unknown; c?: unknown } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(ciphertext, 'base64').toString());
    if (typeof parsed !== 'object' || parsed === null) throw invalidCiphertext();
    return parsed as { v?: unknown; c?: unknown };
  } catch {
    throw invalidCiphertext();
  }
}

/** Key Protect's wrap, unwrap and rewrap actions on a root key, for API callers (R13). */
export class KeyWrapping {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
  ) {}

  private aad(keyId: string, aad: string[] | undefined) {
    return Buffer.from(JSON.stringify(['keyhaven api wrap', keyId, ...(aad ?? [])]));
  }

  private async usableKey(principal: Principal, instanceId: string, keyId: string) {
    const { key } = await this.keys.keyIn(principal, instanceId, keyId, 'Reader');
    requireUsableKey(key, this.ctx.clock.now());
    return key;
  }

  /** Wraps the given (or a fresh 32-byte) data key with the latest version of the root key. */
  async wrap(
    principal: Principal,
    instanceId: string,
    keyId: string,
    request: WrapRequest,
  ): Promise<WrapResponse> {
    return this.wrapWith(await this.usableKey(principal, instanceId, keyId), request);
  }

  private async wrapWith(key: RootKeyRecord, request: WrapRequest): Promise<WrapResponse> {
    const version = key.versions.at(-1);
    if (!version) throw conflict('KEY_MISSING', `Root key ${key.name} has no key material.`);
    const generated = request.plaintext === undefined;
    const plaintext = generated ? randomBytes(32) : Buffer.from(request.plaintext ?? '', 'base64');
    try {
      const wrapped = await this.ctx
        .adapterFor(version.adapter)
        .wrap(version.handle, plaintext, this.aad(key.id, request.aad));
      const ciphertext = Buffer.from(
        JSON.stringify({ v: version.id, c: wrapped.toString('base64') }),
      ).toString('base64');
      return {
        ciphertext,
        keyVersion: { id: version.id },
        ...(generated && { plaintext: plaintext.toString('base64') }),
      };
    } catch (err) {
      throw adapterFailure(err);
    }
  }

  async unwrap(
    principal: Principal,
    instanceId: string,
    keyId: string,
    request: UnwrapRequest,
  ): Promise<UnwrapResponse> {
    return this.unwrapWith(await this.usableKey(principal, instanceId, keyId), request);
  }

  private async unwrapWith(key: RootKeyRecord, request: UnwrapRequest): Promise<UnwrapResponse> {
    const parsed = parseWrapped(request.ciphertext);
    const version = key.versions.find((v) => v.id === parsed.v);
    if (!version || typeof parsed.c !== 'string') throw invalidCiphertext();
    try {
      const plaintext = await this.ctx
        .adapterFor(version.adapter)
        .unwrap(version.handle, Buffer.from(parsed.c, 'base64'), this.aad(key.id, request.aad));
      return { plaintext: plaintext.toString('base64'), keyVersion: { id: version.id } };
    } catch (err) {
      const failure = adapterFailure(err);
      if (failure.code === 'UNWRAP_FAILED')
        throw invalidCiphertext(
          'The ciphertext or its additional authenticated data does not match this key.',
        );
      throw failure;
    }
  }

  /** Unwraps with whichever version wrapped, and wraps again with the latest version. */
  async rewrap(
    principal: Principal,
    instanceId: string,
    keyId: string,
    request: UnwrapRequest,
  ): Promise<WrapResponse> {
    const key = await this.usableKey(principal, instanceId, keyId);
    const { plaintext } = await this.unwrapWith(key, request);
    const { ciphertext, keyVersion } = await this.wrapWith(key, {
      plaintext,
      ...(request.aad && { aad: request.aad }),
    });
    return { ciphertext, keyVersion };
  }
}
