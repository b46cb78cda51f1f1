import { AddressPolicy } from '../kube/address-policy.ts';
import {
  KubeClient,
  type KubeApi,
  type KubeClientOptions,
  type KubeTarget,
} from '../kube/client.ts';
import { etcdReaderOf, type EtcdAccessOpened, type EtcdReader } from '../kube/etcd-reader.ts';
import type { EngineContext } from './context.ts';
import type { Credentials } from './credentials.ts';
import { badRequest } from './errors.ts';
import type { ClusterRecord } from './records.ts';

/** Builds a client of an API server: a KubeClient, or a fake in unit tests. */
export type KubeClientFactory = (target: KubeTarget, options: KubeClientOptions) => KubeApi;

export const kubeClients: KubeClientFactory = (target, options) => new KubeClient(target, options);

/**
 * How Keyhaven reaches a connected cluster: clients of its API server with the token opened for
 * one use, its etcd credentials opened for one Verify, and the address policy both obey.
 */
export class ClusterAccess {
  constructor(
    private readonly ctx: EngineContext,
    private readonly credentials: Credentials,
    private readonly policy: AddressPolicy = new AddressPolicy(),
    private readonly newClient: KubeClientFactory = kubeClients,
    private readonly newEtcdReader: (access: EtcdAccessOpened) => EtcdReader = etcdReaderOf,
  ) {}

  /** A client for credentials being checked, under the address policy and a deadline. */
  candidate(target: KubeTarget, budgetMs: number, cancel?: AbortSignal): KubeApi {
    const budget = AbortSignal.timeout(budgetMs);
    return this.newClient(target, {
      policy: this.policy,
      signal: cancel ? AbortSignal.any([budget, cancel]) : budget,
      budgetMs,
    });
  }

  /** A client for the cluster's API server, with its token opened for this use only. */
  async client(cluster: ClusterRecord): Promise<KubeApi> {
    const connection = cluster.connection;
    if (!connection) throw new Error(`cluster ${cluster.id} is not connected`);
    return this.newClient(
      {
        server: connection.server,
        caCertificate: connection.caCertificate,
        token: await this.credentials.open(connection.sealedToken, `${cluster.id}/token`),
      },
      { policy: this.policy },
    );
  }

  /**
   * Asks the cluster's API server to look at its KMS plug-in again now (its readiness runs the
   * KMS check), and once more after that check's short failure cache (3 s): a root key that came
   * back or went away shows in the API server, and in the plug-in's reports, within seconds.
   */
  async recheckKms(cluster: ClusterRecord): Promise<void> {
    const client = await this.client(cluster);
    try {
      await client.checkKms();
      await this.ctx.clock.sleep(3_500);
      await client.checkKms();
    } finally {
      client.close();
    }
  }

  /** Refuses an etcd endpoint at a denied address literal, as for the API server. */
  checkEtcdEndpoint(server: string, endpoint: string): void {
    try {
      this.policy.check(endpoint);
    } catch {
      throw badRequest(
        'CLUSTER_ADDRESS_DENIED',
        `the etcd endpoint ${endpoint} is at an address Keyhaven may not reach (link-local or cloud metadata: see KEYHAVEN_CLUSTER_DENY)`,
        { server },
      );
    }
  }

  /** A reader of the cluster's etcd, its client key opened for this use; none without access. */
  async etcd(cluster: ClusterRecord): Promise<EtcdReader | undefined> {
    const etcd = cluster.connection?.etcd;
    if (!etcd) return undefined;
    return this.newEtcdReader({
      endpoints: etcd.endpoints,
      caCertificate: etcd.caCertificate,
      clientCertificate: etcd.clientCertificate,
      clientKey: await this.credentials.open(etcd.sealedClientKey, `${cluster.id}/etcd`),
    });
  }
}
