import { EventEmitter } from 'node:events';
import type { KeyAdapterName, StatusEvent } from '@keyhaven/contracts';
import { type Clusters, desiredStatus } from '../domain/clusters.ts';
import { getDoc, listDocs, updateDoc, type EngineContext } from '../domain/context.ts';
import type { Authorizations } from '../domain/authorizations.ts';
import {
  StoreKey,
  type ClusterRecord,
  type InstanceRecord,
  type JobRecord,
  type PluginReportRecord,
  type RootKeyRecord,
} from '../domain/records.ts';

/** The event channel that carries every cluster's changes (cluster ids never contain it). */
const EVERY_CLUSTER = '*';

/**
 * Master status: writes what the job, the root key and its key adapter call for, and sends every
 * change of a cluster's status to its watchers (store watch: etcd's, or SQLite's emitter).
 */
export class StatusFeed {
  private readonly events = new EventEmitter();
  private unwatch: (() => void)[] = [];
  /** What the last sweep found wrong with each key adapter (undefined: it answered). */
  private adapterProblems = new Map<KeyAdapterName, string | undefined>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly authorizations: Authorizations,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Follows the store's cluster and job records, so every replica's watchers see every change. */
  async start(): Promise<void> {
    const onChange = async (clusterId: string, revision: number) => {
      if (this.events.listenerCount(clusterId) + this.events.listenerCount(EVERY_CLUSTER) === 0)
        return;
      const [cluster, job] = await Promise.all([
        getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId)),
        getDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId)),
      ]);
      if (!cluster) return;
      const event = this.clusters.statusEvent(cluster.value, job?.value, revision);
      this.events.emit(clusterId, event);
      this.events.emit(EVERY_CLUSTER, event);
    };
    const follow = (prefix: string) =>
      this.ctx.store.watch(
        prefix,
        (e) => void onChange(e.kv.key.slice(prefix.length), e.kv.modRevision).catch(() => {}),
      );
    this.unwatch.push(await follow(StoreKey.clusters), await follow(StoreKey.jobs));
  }

  stop(): void {
    for (const u of this.unwatch) u();
    this.unwatch = [];
  }

  /** Sends every status change of the cluster, starting with its current status. */
  async watch(clusterId: string, listener: (event: StatusEvent) => void): Promise<() => void> {
    const cluster = await this.clusters.record(clusterId);
    const job = await this.clusters.job(clusterId);
    let last = '';
    const send = (event: StatusEvent) => {
      const signature = JSON.stringify({ ...event, revision: 0 });
      if (signature === last) return;
      last = signature;
      listener(event);
    };
    this.events.on(clusterId, send);
    send(
      this.clusters.statusEvent(
        cluster.value,
        job?.value,
        Math.max(cluster.modRevision, job?.modRevision ?? 0),
      ),
    );
    return () => this.events.off(clusterId, send);
  }

  /**
   * Sends every status change of the given clusters (those a caller may view), starting with
   * their current status: one watch for a whole clusters list.
   */
  async watchAll(
    clusterIds: ReadonlySet<string>,
    listener: (event: StatusEvent) => void,
  ): Promise<() => void> {
    const last = new Map<string, string>();
    const send = (event: StatusEvent) => {
      if (!clusterIds.has(event.clusterId)) return;
      const signature = JSON.stringify({ ...event, revision: 0 });
      if (last.get(event.clusterId) === signature) return;
      last.set(event.clusterId, signature);
      listener(event);
    };
    this.events.on(EVERY_CLUSTER, send);
    for (const clusterId of clusterIds) {
      const [cluster, job] = await Promise.all([
        getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId)),
        getDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId)),
      ]);
      if (cluster)
        send(
          this.clusters.statusEvent(
            cluster.value,
            job?.value,
            Math.max(cluster.modRevision, job?.modRevision ?? 0),
          ),
        );
    }
    return () => this.events.off(EVERY_CLUSTER, send);
  }

  /** Records each adapter's health; true when it differs from the last sweep's. */
  setAdapterHealth(health: Map<KeyAdapterName, string | undefined>): boolean {
    const changed = [...health].some(
      ([name, problem]) => this.adapterProblems.get(name) !== problem,
    );
    this.adapterProblems = health;
    return changed;
  }

  /** The instance's name when no authorization lets the account's clusters use it any more. */
  private async unauthorized(accountId: string, instanceId: string): Promise<string | undefined> {
    const instance = await getDoc<InstanceRecord>(this.ctx.store, StoreKey.instance(instanceId));
    if (!instance) return undefined;
    return (await this.authorizations.find(accountId, instance.value))
      ? undefined
      : instance.value.name;
  }

  /** What the first unhealthy KMS plug-in of a connected cluster answers its API server. */
  private async pluginProblem(clusterId: string): Promise<string | undefined> {
    const reports = await listDocs<PluginReportRecord>(
      this.ctx.store,
      StoreKey.pluginReports(clusterId),
    );
    const sick = reports.find((r) => r.value.healthz !== 'ok');
    return sick && `KMS plug-in ${sick.value.resource} reports: ${sick.value.healthz}.`;
  }

  /** Writes the master status that the job and key state call for, if it differs. */
  async refresh(clusterId: string): Promise<void> {
    const [job, cluster] = await Promise.all([
      this.clusters.job(clusterId),
      getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId)),
    ]);
    if (!cluster) return;
    const kms = cluster.value.kms;
    const key = kms
      ? await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(kms.crkId))
      : undefined;
    const now = this.ctx.clock.now();
    const version = key?.value.versions.find((v) => v.id === kms?.keyVersion);
    const want = desiredStatus({
      cluster: cluster.value,
      job: job?.value,
      key: key?.value,
      now,
      adapterProblem: version && this.adapterProblems.get(version.adapter),
      unauthorizedInstance: kms
        ? await this.unauthorized(cluster.value.accountId, kms.instanceId)
        : undefined,
      pluginProblem:
        kms && cluster.value.connection ? await this.pluginProblem(clusterId) : undefined,
    });
    const { status } = cluster.value;
    if (want.message === status.message && want.health === status.health) return;
    await updateDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId), (c) => ({
      ...c,
      status: { ...want, modifiedDate: now.toISOString() },
    }));
  }
}
