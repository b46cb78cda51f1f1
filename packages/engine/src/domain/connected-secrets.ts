import {
  isJobActive,
  type RawSecret,
  type Secret,
  type SecretListQuery,
  type SecretMeta,
} from '@keyhaven/contracts';
import { parseKmsPrefix } from '../crypto/envelope.ts';
import { KubeError, isKubeFailure, type KubeApi } from '../kube/client.ts';
import type { ClusterAccess } from './cluster-access.ts';
import { getDoc, type EngineContext } from './context.ts';
import { EngineError, conflict, notFound } from './errors.ts';
import { rawSecret } from './raw-secret.ts';
import { StoreKey, type ClusterRecord, type JobRecord } from './records.ts';

const storeKey = (namespace: string, name: string) => `/registry/secrets/${namespace}/${name}`;

/** What an API-server failure means to a caller of Keyhaven's API. */
function kubeProblem(err: unknown): unknown {
  if (!(err instanceof KubeError)) return err;
  if (err.failure === 'NOT_FOUND') return err;
  return new EngineError(502, 'CLUSTER_UNAVAILABLE', `The cluster's API server: ${err.message}.`);
}

/**
 * A connected cluster's Secrets, for the console: names from its API server (metadata only),
 * values read through it for an Editor who asks, and stored bytes from its etcd when Keyhaven
 * was given etcd access. Keyhaven writes them only through the storage migration.
 */
export class ConnectedSecrets {
  constructor(
    private readonly ctx: EngineContext,
    private readonly access: ClusterAccess,
  ) {}

  /**
   * A page of the cluster's Secrets. Without a search, one list call of the API server serves it
   * (a numbered page reads through to its end, no further; a continue token goes on from the
   * last); a search has to read every name. Stored bytes come from etcd when access was given,
   * and an etcd that cannot be read is an error, never a guess.
   */
  async list(cluster: ClusterRecord, query: SecretListQuery) {
    const client = await this.access.client(cluster);
    try {
      const { page, total, next } = await this.names(client, query).catch((err: unknown) => {
        throw kubeProblem(err);
      });
      const stored = await this.storedBytes(
        cluster,
        page.map((s) => storeKey(s.namespace, s.name)),
      ).catch((err: unknown) => {
        throw new EngineError(
          502,
          'CLUSTER_ETCD_UNAVAILABLE',
          `The cluster's etcd cannot be read, so whether its Secrets are encrypted is not known: ${(err as Error).message}.`,
        );
      });
      // Without etcd access, what the migration finished says it; with it, the bytes do.
      const inferred = stored ? false : await this.migrated(cluster);
      return {
        items: page.map((s): SecretMeta => {
          const bytes = stored?.get(storeKey(s.namespace, s.name));
          return {
            namespace: s.namespace,
            name: s.name,
            storeKey: storeKey(s.namespace, s.name),
            encrypted: bytes ? parseKmsPrefix(bytes) !== undefined : inferred,
            size: bytes?.length ?? 0,
            modRevision: s.revision,
          };
        }),
        total,
        continue: next ?? null,
      };
    } finally {
      client.close();
    }
  }

  private async names(client: KubeApi, query: SecretListQuery) {
    const offset = query.offset ?? 0;
    const needle = query.search?.toLowerCase();
    if (needle) {
      const all = await client.secretNames(query.namespace);
      const matching = all.filter((s) => `${s.namespace}/${s.name}`.toLowerCase().includes(needle));
      return { page: matching.slice(offset, offset + query.limit), total: matching.length };
    }
    const read = await client.secretNamesPage(
      query.namespace,
      offset + query.limit,
      query.continue,
    );
    return {
      page: read.names.slice(offset),
      // From the list's start (or the continue token's place) to its end, as the API server counts.
      total: read.names.length + (read.remaining ?? 0),
      next: read.continue,
    };
  }

  /** Without etcd access, a Secret counts as encrypted once a migration under KMS has finished. */
  private async migrated(cluster: ClusterRecord): Promise<boolean> {
    if (!cluster.kms) return false;
    const job = await getDoc<JobRecord>(this.ctx.store, StoreKey.job(cluster.id));
    return job !== undefined && !isJobActive(job.value) && job.value.state === 'succeeded';
  }

  private async storedBytes(cluster: ClusterRecord, keys: string[]) {
    const etcd = await this.access.etcd(cluster);
    return etcd?.read(keys);
  }

  async get(cluster: ClusterRecord, namespace: string, name: string): Promise<Secret> {
    const client = await this.access.client(cluster);
    try {
      const secret = await client.getSecret(namespace, name).catch((err: unknown) => {
        if (isKubeFailure(err, 'NOT_FOUND')) throw notFound('Secret', `${namespace}/${name}`);
        throw kubeProblem(err);
      });
      const stored = await this.storedBytes(cluster, [storeKey(namespace, name)]).catch(
        () => undefined,
      );
      const bytes = stored?.get(storeKey(namespace, name));
      return {
        namespace,
        name,
        storeKey: storeKey(namespace, name),
        encrypted: bytes ? parseKmsPrefix(bytes) !== undefined : await this.migrated(cluster),
        size: bytes?.length ?? 0,
        modRevision: Number(secret.metadata.resourceVersion) || 0,
        type: typeof secret.type === 'string' ? secret.type : 'Opaque',
        data: (secret.data as Record<string, string> | undefined) ?? {},
      };
    } finally {
      client.close();
    }
  }

  /** The bytes the cluster's etcd holds, as `etcdctl get … | hexdump -C` shows them. */
  async raw(cluster: ClusterRecord, namespace: string, name: string): Promise<RawSecret> {
    const etcd = await this.access.etcd(cluster);
    if (!etcd)
      throw conflict(
        'ETCD_ACCESS_MISSING',
        `Verify reads the stored bytes from the cluster's etcd: connect ${cluster.name} again with etcd access (the endpoints and client certificate of the API server's --etcd-servers, --etcd-cafile, --etcd-certfile and --etcd-keyfile).`,
      );
    const key = storeKey(namespace, name);
    const stored = await etcd.read([key]).catch((err: unknown) => {
      throw new EngineError(
        502,
        'ETCD_UNAVAILABLE',
        `The cluster's etcd cannot be read: ${(err as Error).message}.`,
      );
    });
    const bytes = stored.get(key);
    if (!bytes) throw notFound('Secret', `${namespace}/${name}`);
    return rawSecret(key, bytes);
  }

  /** Keyhaven reads a connected cluster's Secrets; kubectl and the cluster's tools write them. */
  refuseWrite(cluster: ClusterRecord): never {
    throw conflict(
      'CONNECTED_CLUSTER_READ_ONLY',
      `Cluster ${cluster.name} is a connected cluster: manage its Secrets with kubectl or your deployment tools; Keyhaven only re-encrypts them.`,
    );
  }
}
