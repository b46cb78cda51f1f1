import { createDecipheriv, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import {
  IMPORT_KEY_BYTES,
  IMPORT_TOKEN_EXPIRATION,
  IMPORT_TOKEN_RETRIEVALS,
  type ImportToken,
  type ImportTokenCreateRequest,
  type ImportTokenRetrieval,
} from '@keyhaven/contracts';
import { KeyAdapterError } from '../keys/types.ts';
import type { Compare, Op } from '../store/types.ts';
import type { Activity } from './activity.ts';
import { getDoc, json, type Doc, type EngineContext } from './context.ts';
import { EngineError, badRequest, conflict } from './errors.ts';
import { requireServiceRole, type Principal } from './iam.ts';
import { adapterFailure, type Keys } from './keys.ts';
import {
  StoreKey,
  type ImportTokenRecord,
  type InstanceRecord,
  type KeyVersionRecord,
} from './records.ts';

/** What an import adds to the key's creation: its version, and the token it uses up. */
export interface ImportedVersion {
  version: KeyVersionRecord;
  compares: Compare[];
  ops: Op[];
  /** After the key was written: the token's pair goes. */
  done(): Promise<void>;
  /** When the key was not written: its material goes. */
  abandon(): Promise<void>;
}

export interface ImportFields {
  payload: string;
  encryptedNonce: string;
  iv: string;
}

const terms = (t: ImportTokenRecord): ImportToken => ({
  expiration: t.expiration,
  maxAllowedRetrievals: t.maxAllowedRetrievals,
  creationDate: t.creationDate,
  expirationDate: t.expirationDate,
  remainingRetrievals: t.remainingRetrievals,
});

/** Whether the sealed nonce opens with the material as its key: the import's proof. */
function nonceOpens(material: Buffer, fields: ImportFields, nonce: Buffer): boolean {
  const sealed = Buffer.from(fields.encryptedNonce, 'base64');
  const iv = Buffer.from(fields.iv, 'base64');
  // A value too short for its tag, or an empty iv, fails in the decipher like any other.
  try {
    const decipher = createDecipheriv(
      `aes-${material.length * 8}-gcm` as 'aes-256-gcm',
      material,
      iv,
    );
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const opened = Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final(),
    ]);
    return opened.equals(nonce);
    // Stryker disable next-line BlockStatement: an empty catch answers undefined, which refuses too
  } catch {
    return false;
  }
}

/**
 * One answer for every refused import, whichever check failed: telling a payload that does not
 * open from material of the wrong size or a wrong nonce would be a padding oracle (Manger's
 * attack on RSA-OAEP) for anyone allowed to try.
 */
const refused = () =>
  badRequest(
    'IMPORT_REFUSED',
    "The import was refused: payload must be 16, 24 or 32 bytes of key material wrapped with RSA-OAEP-SHA-256 under the import token's public key, and encryptedNonce the token's nonce sealed with AES-GCM under that material with iv.",
    { field: 'payload' },
  );

/**
 * Bring your own key, in Key Protect's shape: an instance's import token is an RSA-4096 pair made
 * in the instance's key adapter; a client wraps its key material under the public key
 * (RSA-OAEP-SHA-256) and seals the token's nonce under the material (AES-GCM). The token imports
 * one key, before it expires; its public key may be read `maxAllowedRetrievals` times.
 */
export class ImportTokens {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly activity: Activity,
  ) {}

  async create(
    principal: Principal,
    instanceId: string,
    input: ImportTokenCreateRequest,
  ): Promise<ImportToken> {
    const instance = await this.keys.instance(instanceId);
    requireServiceRole(principal, instance, 'Writer');
    const adapterName = this.keys.adapterOf(instance);
    const adapter = this.ctx.adapterFor(adapterName);
    const previous = await getDoc<ImportTokenRecord>(
      this.ctx.store,
      StoreKey.importToken(instanceId),
    );
    let pair: { handle: string; publicKey: Buffer };
    try {
      pair = await adapter.createImportPair(`import-token/${instanceId}`);
    } catch (err) {
      throw adapterFailure(err);
    }
    const now = this.ctx.clock.now();
    const expiration = input.expiration ?? IMPORT_TOKEN_EXPIRATION.default;
    const retrievals = input.maxAllowedRetrievals ?? IMPORT_TOKEN_RETRIEVALS.default;
    const pem = createPublicKey({ key: pair.publicKey, format: 'der', type: 'spki' }).export({
      type: 'spki',
      format: 'pem',
    });
    const record: ImportTokenRecord = {
      instanceId,
      handle: pair.handle,
      adapter: adapterName,
      publicKey: Buffer.from(pem).toString('base64'),
      nonce: randomBytes(8).toString('base64'),
      expiration,
      maxAllowedRetrievals: retrievals,
      remainingRetrievals: retrievals,
      creationDate: now.toISOString(),
      expirationDate: new Date(now.getTime() + expiration * 1000).toISOString(),
      createdBy: principal.username,
    };
    const { succeeded } = await this.ctx.store.txn(
      [{ key: StoreKey.importToken(instanceId), modRevision: previous?.modRevision ?? 0 }],
      [
        { type: 'put', key: StoreKey.importToken(instanceId), value: json(record) },
        ...this.activity.ops({
          accountId: instance.accountId,
          actor: principal.username,
          action: 'key.import-token',
          target: { kind: 'instance', id: instanceId },
          result: 'success',
          message: `Created an import token, valid for ${expiration} s and ${retrievals} retrieval(s).`,
        }),
      ],
    );
    await this.release(succeeded ? previous?.value.handle : pair.handle, adapterName);
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'Another import token was made meanwhile; try again.');
    return terms(record);
  }

  /** The public key and the nonce; each read uses one of the token's retrievals. */
  async retrieve(principal: Principal, instanceId: string): Promise<ImportTokenRetrieval> {
    const instance = await this.keys.instance(instanceId);
    requireServiceRole(principal, instance, 'Writer');
    const doc = await this.usable(instanceId);
    const token = doc.value;
    if (token.remainingRetrievals <= 0)
      throw conflict(
        'IMPORT_TOKEN_RETRIEVALS_EXHAUSTED',
        `The import token was retrieved ${token.maxAllowedRetrievals} time(s), all it allows; create a new one.`,
      );
    const next = { ...token, remainingRetrievals: token.remainingRetrievals - 1 };
    const { succeeded } = await this.ctx.store.txn(
      [{ key: StoreKey.importToken(instanceId), modRevision: doc.modRevision }],
      [{ type: 'put', key: StoreKey.importToken(instanceId), value: json(next) }],
    );
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'The import token changed meanwhile; try again.');
    return { ...terms(next), payload: token.publicKey, nonce: token.nonce };
  }

  /**
   * Opens the material in the token's adapter and makes it the new key's version; the caller
   * writes the key with `compares` and `ops`, which use the token up (of two imports with one
   * token, one wins).
   */
  async importVersion(
    principal: Principal,
    instance: InstanceRecord,
    keyId: string,
    fields: ImportFields,
  ): Promise<ImportedVersion> {
    const doc = await this.usable(instance.id);
    const token = doc.value;
    const versionId = randomUUID();
    const adapter = this.ctx.adapterFor(token.adapter);
    const nonce = Buffer.from(token.nonce, 'base64');
    let handle: string;
    try {
      handle = await adapter.importKey(
        token.handle,
        Buffer.from(fields.payload, 'base64'),
        `${keyId}/${versionId}`,
        (material) => {
          const sized = (IMPORT_KEY_BYTES as readonly number[]).includes(material.length);
          if (!sized || !nonceOpens(material, fields, nonce)) throw refused();
        },
      );
    } catch (err) {
      if (err instanceof KeyAdapterError && err.code === 'IMPORT_PAYLOAD_INVALID') throw refused();
      throw adapterFailure(err);
    }
    const now = this.ctx.clock.now().toISOString();
    const used = { ...token, used: { keyId, by: principal.username, at: now } };
    return {
      version: { id: versionId, handle, adapter: token.adapter, creationDate: now, imported: true },
      compares: [{ key: StoreKey.importToken(instance.id), modRevision: doc.modRevision }],
      ops: [{ type: 'put', key: StoreKey.importToken(instance.id), value: json(used) }],
      done: () => this.release(token.handle, token.adapter),
      abandon: () => this.release(handle, token.adapter),
    };
  }

  /** The instance's token, refused when missing, used or expired. */
  private async usable(instanceId: string): Promise<Doc<ImportTokenRecord>> {
    const doc = await getDoc<ImportTokenRecord>(this.ctx.store, StoreKey.importToken(instanceId));
    if (!doc)
      throw new EngineError(
        404,
        'IMPORT_TOKEN_NOT_FOUND',
        'This instance has no import token; create one with POST /api/v2/import_token.',
      );
    const token = doc.value;
    if (token.used)
      throw conflict(
        'IMPORT_TOKEN_USED',
        `The import token was already used (${token.used.at}) and imports one key only; create a new one.`,
      );
    if (this.ctx.clock.now().getTime() >= new Date(token.expirationDate).getTime())
      throw conflict(
        'IMPORT_TOKEN_EXPIRED',
        `The import token expired at ${token.expirationDate}; create a new one.`,
      );
    return doc;
  }

  /** Removes a pair or material nobody needs; a failure only leaves an unused object behind. */
  private async release(handle: string | undefined, adapter: ImportTokenRecord['adapter']) {
    if (!handle) return;
    try {
      await this.ctx.adapterFor(adapter).destroy(handle);
    } catch (err) {
      this.ctx.log.warn({ err: (err as Error).message }, 'could not remove an unused key object');
    }
  }
}
