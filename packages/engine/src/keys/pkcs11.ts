import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { Logger } from 'pino';
import { oaepDecode } from './oaep.ts';
import { KeyAdapterError, type KeyAdapter } from './types.ts';
import {
  IV_BYTES,
  PIN_REFUSED,
  RECONNECT,
  RSA_BYTES,
  TAG_BYTES,
  fail,
  importPairTemplates,
  returnCode,
  secretKeyTemplate,
  type Pkcs11Settings,
} from './pkcs11-support.ts';

export { defaultPkcs11Settings, type Pkcs11Settings } from './pkcs11-support.ts';

/**
 * Root keys inside a PKCS#11 token (R13): AES-256 token objects, private, sensitive and never
 * extractable. The engine holds only the object's CKA_ID; wrapping and unwrapping are AES-GCM
 * inside the token. One session is opened and logged in once, reused, and rebuilt (library,
 * session, login) with bounded retries when the token or the library fails.
 */
export class Pkcs11KeyAdapter implements KeyAdapter {
  readonly name = 'pkcs11' as const;
  private readonly p11 = new pkcs11js.PKCS11();
  private loaded = false;
  private session: pkcs11js.Handle | undefined;
  private readonly objects = new Map<string, pkcs11js.Handle>();
  /** Set once the token refuses the PIN: trying it again could lock the token. */
  private pinRefused: string | undefined;
  /** Token operations performed (key generation, wrap, unwrap, destroy), for benchmarks. */
  tokenCalls = 0;

  constructor(
    private readonly settings: Pkcs11Settings,
    private readonly log?: Logger,
  ) {}

  private connect(): pkcs11js.Handle {
    if (this.session) return this.session;
    if (this.pinRefused) throw fail('HSM_LOGIN_FAILED', this.pinRefused);
    if (!this.loaded) {
      try {
        this.p11.load(this.settings.modulePath);
      } catch {
        throw fail(
          'ADAPTER_UNAVAILABLE',
          `the PKCS#11 library ${this.settings.modulePath} could not be loaded`,
          false,
        );
      }
      this.loaded = true;
    }
    try {
      this.p11.C_Initialize();
    } catch (err) {
      if (returnCode(err) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)
        throw fail(
          'HSM_TOKEN_NOT_FOUND',
          `the PKCS#11 library did not initialize (${(err as Error).message}); is the token available?`,
        );
    }
    const slot = this.p11
      .C_GetSlotList(true)
      .find((s) => this.p11.C_GetTokenInfo(s).label.trim() === this.settings.tokenLabel);
    if (slot === undefined)
      throw fail('HSM_TOKEN_NOT_FOUND', `HSM token "${this.settings.tokenLabel}" not found`);
    const session = this.p11.C_OpenSession(
      slot,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
    try {
      this.p11.C_Login(session, pkcs11js.CKU_USER, this.settings.pin);
    } catch (err) {
      const code = returnCode(err);
      if (code !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
        this.p11.C_CloseSession(session);
        if (code !== undefined && PIN_REFUSED.has(code)) {
          this.pinRefused = `HSM login failed: token "${this.settings.tokenLabel}" refused the PIN (${(err as Error).message}); correct the PIN setting and restart the engine`;
          throw fail('HSM_LOGIN_FAILED', this.pinRefused);
        }
        throw fail('HSM_LOGIN_FAILED', `HSM login failed (${(err as Error).message})`);
      }
    }
    this.session = session;
    this.log?.info({ token: this.settings.tokenLabel }, 'HSM session opened');
    return session;
  }

  /** Forgets the session and the library state so that the next call starts afresh. */
  private reset() {
    this.session = undefined;
    this.objects.clear();
    try {
      this.p11.C_Finalize();
    } catch {
      // The library was not initialized, or is gone: either way the next connect starts over.
    }
  }

  /** Runs one token operation, reconnecting with backoff on failures a new session may cure. */
  private async withSession<T>(what: string, op: (session: pkcs11js.Handle) => T): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return op(this.connect());
      } catch (err) {
        const code = returnCode(err);
        const recoverable =
          (code !== undefined && RECONNECT.has(code)) ||
          (err instanceof KeyAdapterError && err.code === 'HSM_TOKEN_NOT_FOUND');
        if (!recoverable || attempt >= this.settings.maxRetries) throw this.explain(what, err);
        this.log?.warn({ what, attempt: attempt + 1 }, 'HSM call failed; reconnecting');
        this.reset();
        await new Promise((done) => setTimeout(done, this.settings.retryDelayMs * 2 ** attempt));
      }
    }
  }

  private explain(what: string, err: unknown): KeyAdapterError {
    if (err instanceof KeyAdapterError) return err;
    const code = returnCode(err);
    // A session that failed is not reused: the next call reconnects.
    this.reset();
    if (code === pkcs11js.CKR_DEVICE_REMOVED || code === pkcs11js.CKR_TOKEN_NOT_PRESENT)
      return fail('HSM_TOKEN_NOT_FOUND', `HSM token "${this.settings.tokenLabel}" not found`);
    return fail(
      'ADAPTER_UNAVAILABLE',
      `the HSM failed to ${what} (${err instanceof Error ? err.message : 'unknown error'})`,
    );
  }

  private findKey(
    session: pkcs11js.Handle,
    handle: string,
    keyClass = pkcs11js.CKO_SECRET_KEY,
  ): pkcs11js.Handle | undefined {
    const cached = keyClass === pkcs11js.CKO_SECRET_KEY ? this.objects.get(handle) : undefined;
    if (cached) return cached;
    this.p11.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: keyClass },
      { type: pkcs11js.CKA_ID, value: Buffer.from(handle) },
    ]);
    const found = this.p11.C_FindObjects(session);
    this.p11.C_FindObjectsFinal(session);
    if (found && keyClass === pkcs11js.CKO_SECRET_KEY) this.objects.set(handle, found);
    return found ?? undefined;
  }

  private requireKey(session: pkcs11js.Handle, handle: string): pkcs11js.Handle {
    const key = this.findKey(session, handle);
    if (!key) throw fail('KEY_MISSING', `HSM key missing: ${handle} is not in the token`, false);
    return key;
  }

  async createKey(label: string): Promise<string> {
    const handle = `p11-${randomUUID()}`;
    await this.withSession('create a key', (session) => {
      this.tokenCalls++;
      const key = this.p11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        ...secretKeyTemplate(label, handle),
        { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
      ]);
      this.objects.set(handle, key);
    });
    return handle;
  }

  private gcm(iv: Buffer, aad: Buffer): pkcs11js.Mechanism {
    const parameter: pkcs11js.GcmParams = {
      type: pkcs11js.CK_PARAMS_AES_GCM,
      iv,
      ivBits: IV_BYTES * 8,
      aad,
      tagBits: 128,
    };
    return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
  }

  async wrap(handle: string, plaintext: Buffer, aad: Buffer): Promise<Buffer> {
    // The IV is public and only needs to be unique; the key never leaves the token.
    const iv = randomBytes(IV_BYTES);
    const sealed = await this.withSession('wrap', (session) => {
      const key = this.requireKey(session, handle);
      this.tokenCalls++;
      this.p11.C_EncryptInit(session, this.gcm(iv, aad), key);
      return this.p11.C_Encrypt(session, plaintext, Buffer.alloc(plaintext.length + TAG_BYTES));
    });
    return Buffer.concat([iv, sealed]);
  }

  async unwrap(handle: string, wrapped: Buffer, aad: Buffer): Promise<Buffer> {
    if (wrapped.length < IV_BYTES + TAG_BYTES)
      throw fail('UNWRAP_FAILED', 'the wrapped value is too short', false);
    const iv = wrapped.subarray(0, IV_BYTES);
    const body = wrapped.subarray(IV_BYTES);
    return this.withSession('unwrap', (session) => {
      const key = this.requireKey(session, handle);
      this.tokenCalls++;
      try {
        this.p11.C_DecryptInit(session, this.gcm(iv, aad), key);
        return this.p11.C_Decrypt(session, body, Buffer.alloc(body.length));
      } catch (err) {
        // SoftHSM answers a failed GCM tag check with CKR_GENERAL_ERROR: when the session still
        // answers, the value, not the token, is at fault.
        if (returnCode(err) === pkcs11js.CKR_GENERAL_ERROR && this.answers(session))
          throw fail('UNWRAP_FAILED', 'the wrapped value does not open with this key', false);
        throw err;
      }
    });
  }

  private answers(session: pkcs11js.Handle): boolean {
    try {
      this.p11.C_GetSessionInfo(session);
      return true;
    } catch {
      return false;
    }
  }

  async destroy(handle: string): Promise<void> {
    await this.withSession('destroy a key', (session) => {
      for (const keyClass of [
        pkcs11js.CKO_SECRET_KEY,
        pkcs11js.CKO_PRIVATE_KEY,
        pkcs11js.CKO_PUBLIC_KEY,
      ]) {
        const key = this.findKey(session, handle, keyClass);
        if (!key) continue;
        this.tokenCalls++;
        this.p11.C_DestroyObject(session, key);
      }
      this.objects.delete(handle);
    });
  }

  async createImportPair(label: string): Promise<{ handle: string; publicKey: Buffer }> {
    const handle = `p11-import-${randomUUID()}`;
    const [modulus, exponent] = await this.withSession('create an import key pair', (session) => {
      this.tokenCalls++;
      const pair = this.p11.C_GenerateKeyPair(
        session,
        { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
        ...importPairTemplates(label, handle),
      );
      return this.p11
        .C_GetAttributeValue(session, pair.publicKey, [
          { type: pkcs11js.CKA_MODULUS },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT },
        ])
        .map((a) => a.value as Buffer);
    });
    const jwk = {
      kty: 'RSA',
      n: modulus?.toString('base64url'),
      e: exponent?.toString('base64url'),
    };
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' }).export({
      type: 'spki',
      format: 'der',
    });
    return { handle, publicKey };
  }

  /**
   * The token decrypts (raw RSA: SoftHSM2's OAEP takes SHA-1 only, the payload is SHA-256) and
   * the engine removes the OAEP padding; the material, checked, becomes a private, sensitive,
   * non-extractable token object, and the engine's copies are zeroed at once.
   */
  async importKey(
    pairHandle: string,
    payload: Buffer,
    label: string,
    accept: (material: Buffer) => void,
  ): Promise<string> {
    const encoded = await this.withSession('open an import', (session) => {
      const key = this.findKey(session, pairHandle, pkcs11js.CKO_PRIVATE_KEY);
      if (!key)
        throw fail('KEY_MISSING', `import key pair ${pairHandle} is not in the token`, false);
      this.tokenCalls++;
      try {
        this.p11.C_DecryptInit(session, { mechanism: pkcs11js.CKM_RSA_X_509 }, key);
        return this.p11.C_Decrypt(session, payload, Buffer.alloc(RSA_BYTES));
      } catch (err) {
        if (!this.answers(session)) throw err;
        return undefined;
      }
    });
    const material =
      encoded && payload.length === RSA_BYTES ? oaepDecode(encoded, RSA_BYTES) : undefined;
    encoded?.fill(0);
    if (!material)
      throw fail(
        'IMPORT_PAYLOAD_INVALID',
        "the payload does not open with the import token's private key",
        false,
      );
    const handle = `p11-${randomUUID()}`;
    try {
      accept(material);
      await this.withSession('import a key', (session) => {
        this.tokenCalls++;
        const key = this.p11.C_CreateObject(session, [
          ...secretKeyTemplate(label, handle),
          { type: pkcs11js.CKA_VALUE, value: material },
        ]);
        this.objects.set(handle, key);
      });
    } finally {
      material.fill(0);
    }
    return handle;
  }

  async check(): Promise<void> {
    await this.withSession('answer', (session) => {
      this.p11.C_GetTokenInfo(this.p11.C_GetSessionInfo(session).slotID);
    });
  }

  async close(): Promise<void> {
    if (this.session) {
      try {
        this.p11.C_Logout(this.session);
        this.p11.C_CloseSession(this.session);
      } catch {
        // Closing a session the token already dropped changes nothing.
      }
    }
    if (this.loaded) {
      this.reset();
      this.p11.close();
      this.loaded = false;
    }
  }
}
