import type { Activity } from './activity.ts';
import type {
  RawSecret,
  Secret,
  SecretListQuery,
  SecretMeta,
  SecretWrite,
} from '@keyhaven/contracts';
import { MAX_SECRET_BYTES, count } from '@keyhaven/contracts';
import type { Clusters } from './clusters.ts';
import { getDoc, type EngineContext } from './context.ts';
import { EngineError, conflict, notFound } from './errors.ts';
import { requirePlatformRole, type Principal } from './iam.ts';
import type { Keys } from './keys.ts';
import { rawSecret } from './raw-secret.ts';
import { StoreKey, type ClusterRecord, type JobRecord, type RootKeyRecord } from './records.ts';
import type { Seeds } from './seeds.ts';
import { parseKmsPrefix } from '../crypto/envelope.ts';
import type { KeyValue } from '../store/types.ts';
import type { ConnectedSecrets } from './connected-secrets.ts';

/** The Kubernetes object stored for a secret (before encryption). */
interface StoredSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace: string };
  type: string;
  data: Record<string, string>;
}

const metaOf = (clusterId: string, kv: KeyValue): SecretMeta => {
  const [namespace = '', name = ''] = kv.key.slice(StoreKey.secrets(clusterId).length).split('/');
  return {
    namespace,
    name,
    storeKey: kv.key,
    encrypted: parseKmsPrefix(kv.value) !== undefined,
    size: kv.value.length,
    modRevision: kv.modRevision,
  };
};

/** A cluster's secrets, as its API server would store them (R2, R3). */
export class Secrets {
  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly keys: Keys,
    private readonly seeds: Seeds,
    private readonly activity: Activity,
    private readonly connected: ConnectedSecrets,
  ) {}

  async list(principal: Principal, clusterId: string, query: SecretListQuery) {
    const cluster = (await this.clusters.record(clusterId)).value;
    requirePlatformRole(principal, cluster, 'Viewer');
    if (cluster.connection) return this.connected.list(cluster, query);
    const prefix = query.namespace
      ? `${StoreKey.secrets(clusterId)}${query.namespace}/`
      : StoreKey.secrets(clusterId);
    if (query.search !== undefined || query.offset !== undefined)
      return this.search(clusterId, prefix, query);
    const after = query.continue ? Buffer.from(query.continue, 'base64url').toString() : undefined;
    if (after !== undefined && !after.startsWith(prefix)) {
      throw new EngineError(
        400,
        'INVALID_CONTINUE',
        'The continue token does not belong to this list.',
        { field: 'continue' },
      );
    }
    const [page, total] = await Promise.all([
      this.ctx.store.range(prefix, { limit: query.limit, ...(after !== undefined && { after }) }),
      this.ctx.store.count(prefix),
    ]);
    const last = page.kvs.at(-1);
    return {
      items: page.kvs.map((kv) => metaOf(clusterId, kv)),
      total,
      continue: page.more && last ? Buffer.from(last.key).toString('base64url') : null,
    };
  }

  /**
   * A numbered page of the secrets whose "namespace/name" contains the search text (any case),
   * found from the keys alone (names are in the key); only the page's values are read.
   */
  private async search(clusterId: string, prefix: string, query: SecretListQuery) {
    const base = StoreKey.secrets(clusterId).length;
    const needle = query.search?.toLowerCase();
    const keys = await this.ctx.store.keys(prefix);
    const matching = needle
      ? keys.filter((k) => k.slice(base).toLowerCase().includes(needle))
      : keys;
    const offset = query.offset ?? 0;
    const page = await Promise.all(
      matching.slice(offset, offset + query.limit).map((key) => this.ctx.store.get(key)),
    );
    return {
      items: page.filter((kv) => kv !== undefined).map((kv) => metaOf(clusterId, kv)),
      total: matching.length,
      continue: null,
    };
  }

  /** The cluster when it is a connected one (checked for Editor, as values are), else undefined. */
  private async connectedCluster(principal: Principal, clusterId: string) {
    const cluster = (await this.clusters.record(clusterId)).value;
    if (!cluster.connection) return undefined;
    requirePlatformRole(principal, cluster, 'Editor');
    return cluster;
  }

  private async stored(principal: Principal, clusterId: string, namespace: string, name: string) {
    const cluster = (await this.clusters.record(clusterId)).value;
    requirePlatformRole(principal, cluster, 'Editor');
    if (cluster.connection) this.connected.refuseWrite(cluster);
    const kv = await this.ctx.store.get(StoreKey.secret(clusterId, namespace, name));
    if (!kv) throw notFound('Secret', `${namespace}/${name}`);
    return kv;
  }

  /** Reading a value needs Editor: Viewers see names only. */
  async get(
    principal: Principal,
    clusterId: string,
    namespace: string,
    name: string,
  ): Promise<Secret> {
    const cluster = await this.connectedCluster(principal, clusterId);
    if (cluster) return this.connected.get(cluster, namespace, name);
    const kv = await this.stored(principal, clusterId, namespace, name);
    const plaintext = await this.ctx.envelope.open(
      kv.key,
      kv.value,
      this.seeds.resolver(clusterId),
    );
    const object = JSON.parse(plaintext.toString()) as StoredSecret;
    return { ...metaOf(clusterId, kv), type: object.type, data: object.data };
  }

  /** The bytes exactly as the store holds them, for verification (like `etcdctl get`). */
  async raw(
    principal: Principal,
    clusterId: string,
    namespace: string,
    name: string,
  ): Promise<RawSecret> {
    const cluster = await this.connectedCluster(principal, clusterId);
    if (cluster) return this.connected.raw(cluster, namespace, name);
    const kv = await this.stored(principal, clusterId, namespace, name);
    const raw = rawSecret(kv.key, kv.value);
    // A demo cluster's key_id is `<root key>:<version>`: the key's record names its instance.
    const [rootKeyId = '', versionId, ...rest] = raw.keyId?.split(':') ?? [];
    if (raw.rootKey || !versionId || rest.length > 0) return raw;
    const key = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(rootKeyId));
    return key
      ? { ...raw, rootKey: { instanceId: key.value.instanceId, keyId: rootKeyId, versionId } }
      : raw;
  }

  /** Writes are refused while the master re-encrypts (R2), atomically with the job's revision. */
  private async writeGuard(clusterId: string) {
    const job = await getDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId));
    if (job && (job.value.state === 'running' || job.value.state === 'retrying')) {
      throw new EngineError(
        503,
        'ENABLEMENT_IN_PROGRESS',
        'KMS feature enablement is in progress: the cluster master accepts no writes until it is Ready. Try again later.',
        undefined,
        10,
      );
    }
    return { key: StoreKey.job(clusterId), modRevision: job?.modRevision ?? 0 };
  }

  private async seal(cluster: ClusterRecord, storeKey: string, plaintext: Buffer): Promise<Buffer> {
    if (!cluster.kms) return plaintext;
    const keyDoc = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(cluster.kms.crkId));
    if (!keyDoc) throw conflict('KEY_MISSING', 'The root key of this cluster no longer exists.');
    const instance = await this.keys.instance(cluster.kms.instanceId);
    if (this.seeds.settings.mode === 'new-dek') {
      const fresh = await this.seeds.freshDek(cluster.id, keyDoc.value, cluster.kms.keyVersion);
      return this.ctx.envelope.sealWithDek(
        storeKey,
        plaintext,
        instance.provider,
        fresh.keyId,
        fresh.dek,
        fresh.wrapped,
      );
    }
    const seed = await this.seeds.sealingSeed(
      cluster.id,
      keyDoc.value,
      cluster.kms.keyVersion,
      instance,
    );
    return this.ctx.envelope.seal(storeKey, plaintext, seed);
  }

  async write(
    principal: Principal,
    clusterId: string,
    input: SecretWrite,
    mode: 'create' | 'update',
  ): Promise<SecretMeta> {
    const cluster = await this.clusters.record(clusterId);
    requirePlatformRole(principal, cluster.value, 'Editor');
    if (cluster.value.connection) this.connected.refuseWrite(cluster.value);
    const storeKey = StoreKey.secret(clusterId, input.namespace, input.name);
    const object: StoredSecret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: input.name, namespace: input.namespace },
      type: input.type,
      data: input.data,
    };
    const plaintext = Buffer.from(JSON.stringify(object));
    if (plaintext.length > MAX_SECRET_BYTES) {
      throw new EngineError(
        413,
        'SECRET_TOO_LARGE',
        `A secret may hold at most ${count(MAX_SECRET_BYTES)} bytes; this one has ${count(plaintext.length)}.`,
      );
    }
    const guard = await this.writeGuard(clusterId);
    const existing = await this.ctx.store.get(storeKey);
    if (mode === 'create' && existing)
      throw conflict('SECRET_EXISTS', `Secret ${input.namespace}/${input.name} already exists.`);
    if (mode === 'update' && !existing)
      throw notFound('Secret', `${input.namespace}/${input.name}`);
    const value = await this.seal(cluster.value, storeKey, plaintext);
    const { succeeded, revision } = await this.ctx.store.txn(
      [
        guard,
        { key: StoreKey.cluster(clusterId), modRevision: cluster.modRevision },
        { key: storeKey, modRevision: existing?.modRevision ?? 0 },
      ],
      [
        { type: 'put', key: storeKey, value },
        ...this.activity.ops({
          accountId: cluster.value.accountId,
          actor: principal.username,
          action: `secret.${mode}`,
          target: { kind: 'cluster', id: clusterId },
          result: 'success',
          message: `${mode === 'create' ? 'Created' : 'Updated'} secret ${input.namespace}/${input.name}.`,
        }),
      ],
    );
    if (!succeeded)
      throw new EngineError(
        503,
        'CONCURRENT_CHANGE',
        'The cluster changed while the secret was written; try again.',
        undefined,
        1,
      );
    return metaOf(clusterId, {
      key: storeKey,
      value,
      createRevision: revision,
      modRevision: revision,
      version: 1,
    });
  }

  async delete(
    principal: Principal,
    clusterId: string,
    namespace: string,
    name: string,
  ): Promise<void> {
    const cluster = (await this.clusters.record(clusterId)).value;
    requirePlatformRole(principal, cluster, 'Editor');
    if (cluster.connection) this.connected.refuseWrite(cluster);
    const guard = await this.writeGuard(clusterId);
    const storeKey = StoreKey.secret(clusterId, namespace, name);
    const existing = await this.ctx.store.get(storeKey);
    if (!existing) throw notFound('Secret', `${namespace}/${name}`);
    const { succeeded } = await this.ctx.store.txn(
      [guard, { key: storeKey, modRevision: existing.modRevision }],
      [
        { type: 'delete', key: storeKey },
        ...this.activity.ops({
          accountId: cluster.accountId,
          actor: principal.username,
          action: 'secret.delete',
          target: { kind: 'cluster', id: clusterId },
          result: 'success',
          message: `Deleted secret ${namespace}/${name}.`,
        }),
      ],
    );
    if (!succeeded)
      throw new EngineError(
        503,
        'CONCURRENT_CHANGE',
        'The cluster changed while the secret was deleted; try again.',
        undefined,
        1,
      );
  }
}
