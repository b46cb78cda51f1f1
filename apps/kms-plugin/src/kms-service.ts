import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { status as Code } from '@grpc/grpc-js';
import { formatKeyId, parseKeyId, type KeyRef, type StatusEvent } from '@keyhaven/contracts';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { PluginConfig } from './config.ts';
import { PluginError, type EngineClient } from './engine-client.ts';
import { watchCluster, type WatchedEngine } from './cluster-watch.ts';

export const SEED_BYTES = 32;
/** Limits kube-apiserver enforces on what a plug-in returns (k8s.io/kms apis/v2/api.proto). */
export const MAX_CIPHERTEXT_BYTES = 1024;
export const MAX_KEY_ID_BYTES = 1024;
/** The annotation naming the root key version that wrapped the seed; its key is an FQDN. */
export const VERSION_ANNOTATION = 'key-version.kms.keyhaven.io';
/**
 * Marks a seed wrapped with its registration id in the additional authenticated data: it opens
 * only under the key_id it was written with, so a key_id with another registration is refused
 * (issue 25). Seeds stored before it carry no mark and open as they always did.
 */
export const BOUND_ANNOTATION = 'bound.kms.keyhaven.io';
/** A Status answer reuses a round trip this recent; the API server polls every 10 to 60 s. */
const PROBE_FRESH_MS = 1_000;
const MAX_CACHED_SEEDS = 10_000;

export interface Health {
  ok: boolean;
  /** "ok", or a short reason the API server prints in its KMS health check. */
  healthz: string;
  keyId: string;
  checkedAt: number;
}

export interface EncryptResult {
  ciphertext: Buffer;
  keyId: string;
  annotations: Record<string, Buffer>;
}

/** What the service asks of the engine: the plug-in's EngineClient, or a fake in unit tests. */
export type ServiceEngine = Pick<
  EngineClient,
  'register' | 'wrap' | 'unwrap' | 'report' | 'close'
> &
  WatchedEngine;

export interface KmsServiceOptions {
  config: PluginConfig;
  log: Logger;
  engine: ServiceEngine;
  /** Milliseconds since the epoch; a test moves it instead of waiting. */
  now?: () => number;
}

/** The root key version a cluster's KMS configuration names, or null when KMS is off. */
type ClusterKey = { instanceId: string; keyId: string; versionId: string } | null;

const invalid = (message: string) =>
  new PluginError(Code.INVALID_ARGUMENT, 'invalid request', message);

/**
 * The plug-in's three calls. It does no cryptography of its own on root keys: the engine wraps
 * and unwraps with the root key (in its HSM when it is there). Unwrapped seeds are kept in memory
 * for CACHE_TIMEOUT_IN_HOURS at most, and dropped as soon as a health check fails.
 */
export class KmsService {
  private readonly config: PluginConfig;
  private readonly log: Logger;
  private readonly engine: ServiceEngine;
  private readonly now: () => number;
  private readonly seeds?: LRUCache<string, Buffer>;
  private current?: KeyRef;
  private health: Health;
  private probing?: Promise<Health>;
  /** With CLUSTER_ID: the root key version the cluster's KMS configuration names, once known. */
  private clusterKey?: ClusterKey;
  /** Why the cluster watch last broke, until it names a key again: said in Status meanwhile. */
  private watchProblem: string | undefined;
  private unfollow?: () => void;

  constructor({ config, log, engine, now = Date.now }: KmsServiceOptions) {
    this.config = config;
    this.log = log;
    this.engine = engine;
    this.now = now;
    if (config.cacheTimeoutMs > 0)
      this.seeds = new LRUCache({
        max: MAX_CACHED_SEEDS,
        ttl: config.cacheTimeoutMs,
        ttlAutopurge: true,
        dispose: (seed) => seed.fill(0),
      });
    this.health = {
      ok: false,
      healthz: 'not checked yet',
      keyId: this.keyIdOf(undefined),
      checkedAt: 0,
    };
  }

  /** With CLUSTER_ID, starts following the cluster's KMS configuration. */
  start(): void {
    const { clusterId } = this.config;
    if (clusterId && !this.unfollow) this.unfollow = this.follow(clusterId);
  }

  close(): void {
    this.unfollow?.();
    this.seeds?.clear();
    this.engine.close();
  }

  /**
   * Follows the cluster's KMS configuration through the engine's status stream: a new root key
   * or version takes effect at the next Status, which the API server answers by asking for a new
   * seed (Encrypt) under it.
   */
  private follow(clusterId: string): () => void {
    return watchCluster(
      this.engine,
      clusterId,
      (event) => this.useClusterKms(event.kms),
      (reason) => {
        this.watchProblem = reason;
        this.log.warn({ clusterId, reason }, 'cluster watch interrupted; reopening');
      },
      (reason) => this.log.warn({ clusterId, reason }, 'cluster watch event skipped'),
    );
  }

  /** Takes the root key version the cluster's status names (none: KMS is off). */
  useClusterKms(kms: StatusEvent['kms']): void {
    this.watchProblem = undefined;
    const next: ClusterKey = kms
      ? { instanceId: kms.instanceId, keyId: kms.crkId, versionId: kms.keyVersion }
      : null;
    if (JSON.stringify(next) === JSON.stringify(this.clusterKey)) return;
    this.log.info(
      { clusterId: this.config.clusterId, rootKey: next?.keyId, version: next?.versionId },
      'cluster KMS configuration',
    );
    this.clusterKey = next;
    if (this.current?.keyId !== next?.keyId) this.current = undefined;
    this.health = { ...this.health, checkedAt: 0 };
  }

  /** The root key to use now: the configured one, or the one the cluster names. */
  private target(): { instanceId: string; keyId: string } | undefined {
    const { instanceId, rootKeyId } = this.config;
    if (instanceId && rootKeyId) return { instanceId, keyId: rootKeyId };
    return this.clusterKey ?? undefined;
  }

  /** With CLUSTER_ID: tells the engine how this plug-in answered, and which key it wrapped with. */
  private report(encryptKeyId?: string): void {
    const { clusterId, resource } = this.config;
    if (!clusterId) return;
    this.engine
      .report(clusterId, {
        resource,
        healthz: this.health.healthz.slice(0, 256),
        ...(encryptKeyId && { encryptKeyId }),
      })
      .catch((err: unknown) =>
        this.log.warn({ reason: asPluginError(err).reason }, 'could not report to the engine'),
      );
  }

  get lastHealth(): Health {
    return this.health;
  }

  /** The key_id to report: the version in use, or a stand-in while none is known. */
  private keyIdOf(ref: KeyRef | undefined): string {
    const target = ref ? undefined : this.target();
    return formatKeyId(
      ref ?? {
        instanceId: target?.instanceId ?? 'none',
        keyId: target?.keyId ?? 'none',
        versionId: 'unknown',
        registrationId: 'unregistered',
      },
    );
  }

  /** Status: a real wrap and unwrap through the root key, at most PROBE_FRESH_MS old. */
  async status(): Promise<Health> {
    if (this.now() - this.health.checkedAt < PROBE_FRESH_MS) return this.health;
    this.probing ??= this.probe().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }

  private async probe(): Promise<Health> {
    const health = await this.roundTrip();
    this.report();
    return health;
  }

  private async roundTrip(): Promise<Health> {
    const { resource, description } = this.config;
    const target = this.target();
    let next: Health;
    try {
      if (!target)
        throw new PluginError(
          Code.FAILED_PRECONDITION,
          this.clusterKey === null
            ? 'KMS not enabled on the cluster in Keyhaven'
            : 'cluster key not known yet',
          this.watchProblem
            ? `the engine has not named a root key for this cluster: ${this.watchProblem}`
            : 'the engine has not named a root key for this cluster',
        );
      const { instanceId, keyId: rootKeyId } = target;
      const registration = await this.engine.register(instanceId, rootKeyId, resource, description);
      const seed = randomBytes(SEED_BYTES);
      const wrapped = await this.engine.wrap(instanceId, rootKeyId, seed);
      const unwrapped = await this.engine.unwrap(
        instanceId,
        rootKeyId,
        Buffer.from(wrapped.ciphertext, 'base64'),
      );
      if (!timingSafeEqual(Buffer.from(unwrapped.plaintext, 'base64'), seed))
        throw new PluginError(Code.INTERNAL, 'round trip mismatch', 'unwrap returned other bytes');
      this.current = {
        instanceId,
        keyId: rootKeyId,
        versionId: wrapped.keyVersion.id,
        registrationId: registration.registrationId,
      };
      next = { ok: true, healthz: 'ok', keyId: this.keyIdOf(this.current), checkedAt: this.now() };
    } catch (err) {
      const failure = asPluginError(err);
      this.seeds?.clear();
      next = {
        ok: false,
        healthz: failure.reason,
        keyId: this.keyIdOf(this.current),
        checkedAt: this.now(),
      };
      if (this.health.ok || this.health.healthz !== next.healthz)
        this.log.warn({ reason: failure.reason, detail: failure.message }, 'health check failed');
    }
    if (next.ok && !this.health.ok) this.log.info({ keyId: next.keyId }, 'healthy');
    this.health = next;
    return next;
  }

  /** Encrypt: wraps the API server's DEK seed with the latest version of the root key. */
  async encrypt(plaintext: Buffer): Promise<EncryptResult> {
    if (plaintext.length !== SEED_BYTES)
      throw invalid(`plaintext must be a ${SEED_BYTES}-byte DEK seed, got ${plaintext.length}`);
    if (!this.current) {
      await this.status();
      if (!this.current)
        throw new PluginError(Code.UNAVAILABLE, this.health.healthz, this.health.healthz);
    }
    const { instanceId, keyId, registrationId } = this.current;
    const wrapped = await this.engine.wrap(instanceId, keyId, plaintext, registrationId);
    const ciphertext = Buffer.from(wrapped.ciphertext, 'base64');
    if (ciphertext.length > MAX_CIPHERTEXT_BYTES)
      throw new PluginError(Code.INTERNAL, 'ciphertext too long', 'the wrapped seed exceeds 1 KiB');
    const ref = { instanceId, keyId, versionId: wrapped.keyVersion.id, registrationId };
    if (ref.versionId !== this.current.versionId) {
      // The key rotated since the last Status: report the new version from now on.
      this.current = ref;
      this.health = { ...this.health, keyId: this.keyIdOf(ref) };
    }
    const reportedKeyId = this.keyIdOf(ref);
    this.seeds?.set(cacheKey(reportedKeyId, ciphertext), Buffer.from(plaintext));
    this.report(reportedKeyId);
    return {
      ciphertext,
      keyId: reportedKeyId,
      annotations: {
        [VERSION_ANNOTATION]: Buffer.from(ref.versionId),
        [BOUND_ANNOTATION]: Buffer.from('registration'),
      },
    };
  }

  /** Decrypt: unwraps with the root key and version that the stored key_id names. */
  async decrypt(
    ciphertext: Buffer,
    keyId: string,
    annotations: Record<string, Buffer>,
  ): Promise<Buffer> {
    const ref = parseKeyId(keyId);
    if (!ref) throw invalid('key_id was not written by a Keyhaven KMS plug-in');
    if (ciphertext.length === 0 || ciphertext.length > MAX_CIPHERTEXT_BYTES)
      throw invalid('ciphertext must be 1 to 1024 bytes');
    const version = annotations[VERSION_ANNOTATION]?.toString();
    if (version !== ref.versionId)
      throw invalid(`annotation ${VERSION_ANNOTATION} does not match the key_id`);
    const cached = this.health.ok ? this.seeds?.get(cacheKey(keyId, ciphertext)) : undefined;
    if (cached) return Buffer.from(cached);
    const bound = annotations[BOUND_ANNOTATION] ? ref.registrationId : undefined;
    const unwrapped = await this.engine
      .unwrap(ref.instanceId, ref.keyId, ciphertext, bound)
      .catch((err: unknown) => {
        if (bound && asPluginError(err).code === Code.INVALID_ARGUMENT)
          throw invalid('the key_id names another registration than the seed was wrapped for');
        throw err;
      });
    if (unwrapped.keyVersion.id !== ref.versionId)
      throw invalid('the ciphertext was wrapped by another root key version than the key_id names');
    const seed = Buffer.from(unwrapped.plaintext, 'base64');
    this.seeds?.set(cacheKey(keyId, ciphertext), Buffer.from(seed));
    return seed;
  }
}

/** Seeds are cached by a hash of their wrapped form, never by anything that reveals them. */
const cacheKey = (keyId: string, ciphertext: Buffer) =>
  createHash('sha256').update(keyId).update('\0').update(ciphertext).digest('base64');

export function asPluginError(err: unknown): PluginError {
  if (err instanceof PluginError) return err;
  return new PluginError(Code.INTERNAL, 'plug-in error', (err as Error)?.message ?? String(err));
}
