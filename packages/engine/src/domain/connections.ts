import { randomBytes, X509Certificate, createPrivateKey } from 'node:crypto';
import {
  MASTER_STATUS_READY,
  hasPlatformRole,
  type ConnectClusterRequest,
} from '@keyhaven/contracts';
import { KubeError } from '../kube/client.ts';
import type { Activity } from './activity.ts';
import type { ClusterAccess } from './cluster-access.ts';
import { getDoc, json, listDocs, type EngineContext } from './context.ts';
import type { Credentials } from './credentials.ts';
import { EngineError, badRequest, conflict, notFound } from './errors.ts';
import { requirePlatformRole, type Principal } from './iam.ts';
import { StoreKey, type ClusterRecord, type PluginReportRecord } from './records.ts';

/** The verbs Keyhaven needs on Secrets in every namespace to migrate them. */
export const REQUIRED_VERBS = ['list', 'get', 'update'] as const;

/** How long checking a cluster's credentials may take in all (the BFF waits 10 s for the engine). */
const CHECK_BUDGET_MS = 7_000;

const CONNECT_FAILURES: Record<string, string> = {
  UNREACHABLE: 'CLUSTER_UNREACHABLE',
  DENIED: 'CLUSTER_ADDRESS_DENIED',
  BAD_CERTIFICATE: 'CLUSTER_CERTIFICATE_UNTRUSTED',
  TOKEN_REFUSED: 'CLUSTER_TOKEN_REFUSED',
  FORBIDDEN: 'CLUSTER_PERMISSION_MISSING',
};

function checkPem(pem: string, field: string, parse: (pem: string) => unknown): void {
  try {
    parse(pem);
  } catch {
    throw badRequest('INVALID_CERTIFICATE', `${field} cannot be read as PEM`, { field });
  }
}

/**
 * Connected clusters (issue 16): connect a real API server after checking its credentials, keep
 * the token sealed, and disconnect while KMS is off (R5). Reaching a connected cluster is
 * ClusterAccess's; its plug-ins' identities and reports are PluginIdentities' and PluginReports'.
 */
export class Connections {
  constructor(
    private readonly ctx: EngineContext,
    private readonly access: ClusterAccess,
    private readonly credentials: Credentials,
    private readonly activity: Activity,
  ) {}

  /** `cancel`: the caller went away; a check still under way stops, and nothing is written. */
  async connect(
    principal: Principal,
    request: ConnectClusterRequest,
    cancel?: AbortSignal,
  ): Promise<ClusterRecord> {
    const id = `kc-${randomBytes(10).toString('hex')}`;
    const owned = { id, accountId: principal.accountId };
    // Only a grant on every cluster of the account ('*') can hold for a cluster not made yet.
    if (!hasPlatformRole(principal, owned, 'Administrator'))
      throw new EngineError(
        403,
        'FORBIDDEN',
        'Connecting a cluster needs the Administrator platform role on all clusters of your account.',
        { requiredRole: 'Administrator', resource: { kind: 'cluster', id: '*' } },
      );
    checkPem(request.caCertificate, 'caCertificate', (p) => new X509Certificate(p));
    if (request.etcd) {
      checkPem(request.etcd.caCertificate, 'etcd.caCertificate', (p) => new X509Certificate(p));
      checkPem(
        request.etcd.clientCertificate,
        'etcd.clientCertificate',
        (p) => new X509Certificate(p),
      );
      checkPem(request.etcd.clientKey, 'etcd.clientKey', (p) => createPrivateKey(p));
    }
    const nameTaken = () =>
      conflict('CLUSTER_NAME_TAKEN', `A cluster named ${request.name} exists already.`);
    const clusters = await listDocs<ClusterRecord>(this.ctx.store, StoreKey.clusters);
    if (
      clusters.some((c) => c.value.name === request.name && c.value.accountId === owned.accountId)
    )
      throw nameTaken();
    const version = await this.check(request, cancel);
    if (cancel?.aborted)
      throw badRequest('CONNECT_CANCELLED', 'The connection was cancelled; nothing was written.', {
        server: request.server,
      });
    const now = this.ctx.clock.now().toISOString();
    const record: ClusterRecord = {
      id,
      name: request.name,
      region: 'connected',
      location: new URL(request.server).host,
      version,
      accountId: owned.accountId,
      createdDate: now,
      status: { message: MASTER_STATUS_READY, health: 'normal', modifiedDate: now },
      kms: null,
      previousCrkIds: [],
      connection: {
        server: request.server,
        caCertificate: request.caCertificate,
        sealedToken: await this.credentials.seal(request.token, `${id}/token`),
        ...(request.etcd && {
          etcd: {
            endpoints: request.etcd.endpoints,
            caCertificate: request.etcd.caCertificate,
            clientCertificate: request.etcd.clientCertificate,
            sealedClientKey: await this.credentials.seal(request.etcd.clientKey, `${id}/etcd`),
          },
        }),
        connectedAt: now,
      },
    };
    // The name's own key makes two connects of one name at once a conflict for the second.
    const nameKey = StoreKey.clusterName(owned.accountId, request.name);
    const { succeeded } = await this.ctx.store.txn(
      [
        { key: StoreKey.cluster(id), modRevision: 0 },
        { key: nameKey, modRevision: 0 },
      ],
      [
        { type: 'put', key: StoreKey.cluster(id), value: json(record) },
        { type: 'put', key: nameKey, value: json({ clusterId: id }) },
        ...this.activity.ops({
          accountId: owned.accountId,
          actor: principal.username,
          action: 'cluster.connect',
          target: { kind: 'cluster', id },
          result: 'success',
          message: `Connected ${request.server} (Kubernetes ${version}).`,
        }),
      ],
    );
    if (!succeeded) throw nameTaken();
    return record;
  }

  /**
   * Version, then each verb on Secrets: the first failure is the error, naming what failed. The
   * whole check has its own budget, well inside the console's wait for the engine: a cluster
   * that never answers is that cluster's failure (CLUSTER_UNREACHABLE), not an engine outage.
   */
  private async check(request: ConnectClusterRequest, cancel?: AbortSignal): Promise<string> {
    for (const endpoint of request.etcd?.endpoints ?? [])
      this.access.checkEtcdEndpoint(request.server, endpoint);
    const client = this.access.candidate(request, CHECK_BUDGET_MS, cancel);
    try {
      const version = await client.version();
      const missing: string[] = [];
      for (const verb of REQUIRED_VERBS) if (!(await client.can(verb))) missing.push(verb);
      if (missing.length > 0)
        throw new KubeError(
          'FORBIDDEN',
          `the token may not ${missing.join(', ')} Secrets in every namespace; Keyhaven needs list, get and update`,
        );
      return version;
    } catch (err) {
      if (!(err instanceof KubeError)) throw err;
      throw badRequest(CONNECT_FAILURES[err.failure] ?? 'CLUSTER_CHECK_FAILED', err.message, {
        server: request.server,
      });
    } finally {
      client.close();
    }
  }

  async disconnect(principal: Principal, clusterId: string): Promise<void> {
    const doc = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId));
    if (!doc) throw notFound('Cluster', clusterId);
    requirePlatformRole(principal, doc.value, 'Administrator');
    if (!doc.value.connection)
      throw conflict(
        'NOT_CONNECTED',
        `Cluster ${doc.value.name} is a demo cluster; it cannot be disconnected.`,
      );
    if (doc.value.kms)
      throw conflict(
        'KMS_ENABLED',
        `KMS is enabled on ${doc.value.name} and cannot be disabled (R5), so the cluster stays connected.`,
      );
    const reports = await listDocs<PluginReportRecord>(
      this.ctx.store,
      StoreKey.pluginReports(clusterId),
    );
    const { succeeded } = await this.ctx.store.txn(
      [{ key: StoreKey.cluster(clusterId), modRevision: doc.modRevision }],
      [
        { type: 'delete', key: StoreKey.cluster(clusterId) },
        { type: 'delete', key: StoreKey.clusterName(doc.value.accountId, doc.value.name) },
        // Its plug-in identity and API keys end with it.
        { type: 'delete', key: StoreKey.pluginUser(clusterId) },
        ...reports.map((r) => ({
          type: 'delete' as const,
          key: StoreKey.pluginReport(clusterId, r.value.resource),
        })),
        ...this.activity.ops({
          accountId: doc.value.accountId,
          actor: principal.username,
          action: 'cluster.disconnect',
          target: { kind: 'cluster', id: clusterId },
          result: 'success',
          message: `Disconnected ${doc.value.connection.server}.`,
        }),
      ],
    );
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'The cluster changed meanwhile; try again.');
  }

  /** A connected cluster the caller administers (else 404, 403, or 409 for a demo cluster). */
  async administered(principal: Principal, clusterId: string): Promise<ClusterRecord> {
    const cluster = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId));
    if (!cluster) throw notFound('Cluster', clusterId);
    requirePlatformRole(principal, cluster.value, 'Administrator');
    if (!cluster.value.connection)
      throw conflict(
        'NOT_CONNECTED',
        `Cluster ${cluster.value.name} is a demo cluster: it runs no KMS plug-in.`,
      );
    return cluster.value;
  }
}
