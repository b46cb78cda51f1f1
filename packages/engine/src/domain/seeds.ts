import type { KeyAdapterName } from '@keyhaven/contracts';
import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { DekSourceType } from '../crypto/encrypted-object.ts';
import type { OpenContext, SealingSeed } from '../crypto/envelope.ts';
import type { KeyAdapter } from '../keys/types.ts';
import { getDoc, type EngineContext } from './context.ts';
import { EngineError } from './errors.ts';
import { adapterFailure, requireUsableKey } from './keys.ts';
import { StoreKey, type InstanceRecord, type RootKeyRecord } from './records.ts';

export interface SeedSettings {
  /** How long an unwrapped seed stays in memory (the seed's DEK cache timeout). */
  cacheTtlMs: number;
  cacheSize: number;
  /** 'seed': one wrap per cluster and key version; 'new-dek': one wrap per write (NEW_DEK). */
  mode: 'seed' | 'new-dek';
}

export const defaultSeedSettings: SeedSettings = {
  cacheTtlMs: 60 * 60 * 1000,
  cacheSize: 1000,
  mode: 'seed',
};

export const keyIdOf = (crkId: string, versionId: string) => `${crkId}:${versionId}`;
const seedAad = (clusterId: string, keyId: string) =>
  Buffer.from(`keyhaven dek-seed|${clusterId}|${keyId}`);
const dekAad = (clusterId: string, keyId: string) =>
  Buffer.from(`keyhaven dek|${clusterId}|${keyId}`);

/** A cache-key for a wrapped value that does not keep the value itself. */
const fingerprint = (keyId: string, wrapped: Buffer) =>
  keyId + ':' + createHash('sha256').update(wrapped).digest('base64');

/**
 * DEK seeds: created per cluster and root-key version, stored only wrapped, unwrapped through the
 * key adapter at most once per cache lifetime. Every use checks the root key's state first, so a
 * disabled, expired or deleted key stops reads and writes even while its seed is cached (R7-R9).
 */
export class Seeds {
  private readonly cache: LRUCache<string, Buffer>;
  /** Unwraps under way, so that concurrent reads of one seed cost one adapter call. */
  private readonly pending = new Map<string, Promise<Buffer>>();
  /** Key-adapter calls made by this engine (wrap + unwrap), for benchmarks and tests. */
  adapterCalls = 0;

  constructor(
    private readonly ctx: EngineContext,
    readonly settings: SeedSettings,
  ) {
    // Evicted seeds are not zeroed: a concurrent open may still hold the same buffer.
    this.cache = new LRUCache({ max: settings.cacheSize, ttl: settings.cacheTtlMs });
  }

  /** Drops cached seeds of a root key, e.g. when it is disabled or deleted. */
  forget(crkId: string): void {
    for (const key of [...this.cache.keys()])
      if (key.startsWith(crkId + ':')) this.cache.delete(key);
  }

  private adapter(version: { adapter: KeyAdapterName }): KeyAdapter {
    return this.ctx.adapterFor(version.adapter);
  }

  private usable(key: RootKeyRecord): void {
    requireUsableKey(key, this.ctx.clock.now());
  }

  private version(key: RootKeyRecord, versionId: string) {
    const version = key.versions.find((v) => v.id === versionId);
    if (!version)
      throw new EngineError(
        409,
        'KEY_MISSING',
        `Root key ${key.name} has no version ${versionId}.`,
      );
    return version;
  }

  /** The seed that new writes of this cluster seal under; created and wrapped on first use. */
  async sealingSeed(
    clusterId: string,
    key: RootKeyRecord,
    versionId: string,
    instance: InstanceRecord,
  ): Promise<SealingSeed> {
    this.usable(key);
    const version = this.version(key, versionId);
    const keyId = keyIdOf(key.id, versionId);
    const storeKey = StoreKey.seed(clusterId, versionId);
    let stored = await this.ctx.store.get(storeKey);
    if (!stored) {
      const seed = randomBytes(32);
      let wrapped: Buffer;
      try {
        this.adapterCalls++;
        wrapped = await this.adapter(version).wrap(version.handle, seed, seedAad(clusterId, keyId));
      } catch (err) {
        throw adapterFailure(err);
      }
      const { succeeded } = await this.ctx.store.txn(
        [{ key: storeKey, modRevision: 0 }],
        [{ type: 'put', key: storeKey, value: wrapped }],
      );
      if (succeeded) {
        this.cache.set(fingerprint(keyId, wrapped), seed);
        return { providerName: instance.provider, keyId, seed, wrappedSeed: wrapped };
      }
      stored = await this.ctx.store.get(storeKey);
      if (!stored)
        throw new EngineError(
          503,
          'CONTENTION',
          'the DEK seed changed while it was created; try again',
          undefined,
          1,
        );
    }
    const seed = await this.unwrap(
      clusterId,
      key,
      keyId,
      stored.value,
      DekSourceType.HKDF_SHA256_XNONCE_AES_GCM_SEED,
    );
    return { providerName: instance.provider, keyId, seed, wrappedSeed: stored.value };
  }

  /** NEW_DEK mode: a fresh DEK for one write, wrapped by the key adapter (one call per write). */
  async freshDek(
    clusterId: string,
    key: RootKeyRecord,
    versionId: string,
  ): Promise<{ keyId: string; dek: Buffer; wrapped: Buffer }> {
    this.usable(key);
    const version = this.version(key, versionId);
    const keyId = keyIdOf(key.id, versionId);
    const dek = randomBytes(32);
    try {
      this.adapterCalls++;
      const wrapped = await this.adapter(version).wrap(
        version.handle,
        dek,
        dekAad(clusterId, keyId),
      );
      return { keyId, dek, wrapped };
    } catch (err) {
      throw adapterFailure(err);
    }
  }

  private async unwrap(
    clusterId: string,
    key: RootKeyRecord,
    keyId: string,
    wrapped: Buffer,
    type: DekSourceType,
  ): Promise<Buffer> {
    const cacheKey = fingerprint(keyId, wrapped);
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const inFlight = this.pending.get(cacheKey);
    if (inFlight) return inFlight;
    const version = this.version(key, keyId.slice(key.id.length + 1));
    const aad =
      type === DekSourceType.AES_GCM_KEY ? dekAad(clusterId, keyId) : seedAad(clusterId, keyId);
    const unwrapping = (async () => {
      try {
        this.adapterCalls++;
        const seed = await this.adapter(version).unwrap(version.handle, wrapped, aad);
        this.cache.set(cacheKey, seed);
        return seed;
      } catch (err) {
        throw adapterFailure(err);
      } finally {
        this.pending.delete(cacheKey);
      }
    })();
    this.pending.set(cacheKey, unwrapping);
    return unwrapping;
  }

  /**
   * Resolves stored values of one cluster. Root-key records are read once per resolver, so a
   * batch of secrets costs one store read per key, not one per secret.
   */
  resolver(clusterId: string): OpenContext {
    const keys = new Map<string, Promise<RootKeyRecord | undefined>>();
    const providers = new Map<string, Promise<string | undefined>>();
    return {
      resolve: async (keyId, source, type, providerName) => {
        const crkId = keyId.split(':')[0] ?? '';
        let pending = keys.get(crkId);
        if (!pending) {
          pending = getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(crkId)).then(
            (d) => d?.value,
          );
          keys.set(crkId, pending);
        }
        const key = await pending;
        if (!key)
          throw new EngineError(
            409,
            'KEY_MISSING',
            `The root key ${crkId} that encrypted this value no longer exists.`,
          );
        let provider = providers.get(key.instanceId);
        if (!provider) {
          provider = getDoc<InstanceRecord>(this.ctx.store, StoreKey.instance(key.instanceId)).then(
            (d) => d?.value.provider,
          );
          providers.set(key.instanceId, provider);
        }
        // The prefix names the provider; it must be the one that holds the key.
        if ((await provider) !== providerName) {
          throw new EngineError(
            409,
            'PROVIDER_MISMATCH',
            `The stored value names KMS provider ${providerName}, but its root key belongs to another provider.`,
          );
        }
        this.usable(key);
        return this.unwrap(clusterId, key, keyId, source, type);
      },
    };
  }
}
