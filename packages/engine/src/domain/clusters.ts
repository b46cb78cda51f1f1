import {
  PLUGIN_STALE_MINUTES,
  MASTER_STATUS_ENABLING,
  MASTER_STATUS_READY,
  MASTER_STATUS_READY_UNVERIFIED,
  hasPlatformRole,
  isJobActive,
  keyUsability,
  type Cluster,
  type Connection,
  type EnablementResult,
  type MasterHealth,
  type StatusEvent,
} from '@keyhaven/contracts';
import { isKubeVersion } from '../kube/client.ts';
import { getDoc, listDocs, type EngineContext } from './context.ts';
import { notFound } from './errors.ts';
import { requirePlatformRole, type Principal } from './iam.ts';
import {
  StoreKey,
  type ClusterRecord,
  type InstanceRecord,
  type JobRecord,
  type PluginReportRecord,
  type RootKeyRecord,
} from './records.ts';

export interface MasterStatus {
  message: string;
  health: MasterHealth;
}

/** What Master status follows from: the job, the root key and what is known to be wrong. */
export interface StatusInput {
  cluster: ClusterRecord;
  job: JobRecord | undefined;
  key: RootKeyRecord | undefined;
  now: Date;
  /** Why the key adapter that holds the cluster's root key cannot serve it, if it cannot. */
  adapterProblem?: string | undefined;
  /** The KMS instance the cluster may no longer use, when its authorization is gone. */
  unauthorizedInstance?: string | undefined;
  /** A connected cluster's KMS plug-in that answers its API server's Status with a problem. */
  pluginProblem?: string | undefined;
}

/**
 * "KMS feature enablement in progress." as the seeds say it; for an update, from which key to
 * which; for a rotation, why it runs: by hand, or by the key's rotation policy (the engine's own
 * sweep, actor `system`).
 */
function enablingMessage(job: JobRecord, key: RootKeyRecord | undefined): string {
  if (job.reason === 'update' && job.fromCrkName && key)
    return `${MASTER_STATUS_ENABLING} Updating from ${job.fromCrkName} to ${key.name}.`;
  if (job.reason !== 'rotate' || !key) return MASTER_STATUS_ENABLING;
  const why = job.actor === 'system' ? 'Rotated by policy' : `Rotated by ${job.actor}`;
  return `${MASTER_STATUS_ENABLING} ${why}: re-encrypting under the new version of root key ${key.name}.`;
}

/** Master status follows from the job and the root key's state; the record keeps when it changed. */
export function desiredStatus({
  cluster,
  job,
  key,
  now,
  adapterProblem,
  unauthorizedInstance,
  pluginProblem,
}: StatusInput): MasterStatus {
  if (job && isJobActive(job)) {
    return job.state === 'retrying'
      ? {
          message: `${MASTER_STATUS_ENABLING} Paused: ${job.message ?? 'waiting to retry'}`,
          health: 'warning',
        }
      : { message: enablingMessage(job, key), health: 'in_progress' };
  }
  if (cluster.kms && key) {
    const usability = keyUsability(key, now);
    if (!usability.usable)
      return {
        message: usability.message,
        health: usability.reason === 'destroyed' ? 'critical' : 'warning',
      };
    if (adapterProblem)
      return {
        // Cached DEK seeds keep the cluster running for a while; new seeds wait for the adapter.
        message: `Root key ${key.name} is unreachable: ${adapterProblem}.`,
        health: 'warning',
      };
    if (unauthorizedInstance)
      return {
        message: `Kubernetes Service is no longer authorized to use ${unauthorizedInstance}: an administrator of the instance's account must authorize it again (Authorizations).`,
        health: 'warning',
      };
    if (pluginProblem) return { message: pluginProblem, health: 'warning' };
  }
  if (job?.state === 'failed')
    return { message: job.message ?? 'KMS enablement failed.', health: 'critical' };
  if (job?.verified === false) return { message: MASTER_STATUS_READY_UNVERIFIED, health: 'normal' };
  return { message: MASTER_STATUS_READY, health: 'normal' };
}

/** What the API and the console show of a connected cluster's connection. */
export function connectionView(
  cluster: ClusterRecord,
  reports: PluginReportRecord[],
  now: Date,
): Connection | null {
  const connection = cluster.connection;
  if (!connection) return null;
  return {
    server: connection.server,
    connectedAt: connection.connectedAt,
    etcd: connection.etcd !== undefined,
    plugins: reports.map((r) => ({
      resource: r.resource,
      healthz: r.healthz,
      ...(r.keyId && { keyId: r.keyId }),
      reportedAt: r.reportedAt,
      stale: isStale(r, now),
    })),
  };
}

/** Whether a plug-in has been silent for longer than PLUGIN_STALE_MINUTES. */
export const isStale = (report: PluginReportRecord, now: Date): boolean =>
  now.getTime() - Date.parse(report.reportedAt) > PLUGIN_STALE_MINUTES * 60_000;

export const toEnablement = (job: JobRecord): EnablementResult => ({
  jobId: job.id,
  crkId: job.crkId,
  keyVersion: job.keyVersion,
  reason: job.reason,
  state: job.state,
  ...(job.message && { message: job.message }),
  progress: { done: job.done, total: job.total },
  startedAt: job.startedAt,
  ...(job.takenAt && { takenAt: job.takenAt }),
  ...(job.finishedAt && { finishedAt: job.finishedAt }),
});

export class Clusters {
  constructor(private readonly ctx: EngineContext) {}

  /** The account a cluster belongs to (`fallback` when it is gone), for its activity entries. */
  async accountOf(id: string, fallback: string): Promise<string> {
    const doc = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(id));
    return doc?.value.accountId ?? fallback;
  }

  async record(id: string) {
    const doc = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(id));
    if (!doc) throw notFound('Cluster', id);
    return doc;
  }

  async job(clusterId: string) {
    return getDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId));
  }

  async view(cluster: ClusterRecord, job?: JobRecord): Promise<Cluster> {
    const [instance, key] = cluster.kms
      ? await Promise.all([
          getDoc<InstanceRecord>(this.ctx.store, StoreKey.instance(cluster.kms.instanceId)),
          getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(cluster.kms.crkId)),
        ])
      : [undefined, undefined];
    const reports = cluster.connection
      ? await listDocs<PluginReportRecord>(this.ctx.store, StoreKey.pluginReports(cluster.id))
      : [];
    const status = cluster.status;
    return {
      id: cluster.id,
      name: cluster.name,
      region: cluster.region,
      location: cluster.location,
      // A record from before versions were checked at connect may hold anything (issue 25).
      masterKubeVersion: isKubeVersion(cluster.version) ? cluster.version : 'unknown',
      accountId: cluster.accountId,
      createdDate: cluster.createdDate,
      masterStatus: status.message,
      masterHealth: status.health,
      masterStatusModifiedDate: status.modifiedDate,
      lifecycle: {
        masterStatus: status.message,
        masterStatusModifiedDate: status.modifiedDate,
        masterHealth: status.health,
      },
      features: { keyProtectEnabled: cluster.kms !== null },
      kms: cluster.kms && {
        instanceId: cluster.kms.instanceId,
        instanceName: instance?.value.name ?? cluster.kms.instanceId,
        provider: instance?.value.provider ?? 'key-protect',
        accountId: cluster.kms.accountId,
        crkId: cluster.kms.crkId,
        crkName: key?.value.name ?? cluster.kms.crkId,
        keyVersion: cluster.kms.keyVersion,
        privateEndpoint: cluster.kms.privateEndpoint,
        previousCrkIds: cluster.previousCrkIds,
      },
      enablement: job ? toEnablement(job) : null,
      connection: connectionView(
        cluster,
        reports.map((r) => r.value),
        this.ctx.clock.now(),
      ),
    };
  }

  statusEvent(cluster: ClusterRecord, job: JobRecord | undefined, revision: number): StatusEvent {
    const active = job && isJobActive(job);
    return {
      clusterId: cluster.id,
      revision,
      masterStatus: cluster.status.message,
      masterHealth: cluster.status.health,
      modifiedDate: cluster.status.modifiedDate,
      progress: active ? { done: job.done, total: job.total } : null,
      keyProtectEnabled: cluster.kms !== null,
      kms: cluster.kms && {
        instanceId: cluster.kms.instanceId,
        crkId: cluster.kms.crkId,
        keyVersion: cluster.kms.keyVersion,
      },
    };
  }

  async list(principal: Principal): Promise<Cluster[]> {
    const [clusters, jobs] = await Promise.all([
      listDocs<ClusterRecord>(this.ctx.store, StoreKey.clusters),
      listDocs<JobRecord>(this.ctx.store, StoreKey.jobs),
    ]);
    const jobOf = new Map(jobs.map((j) => [j.value.clusterId, j.value]));
    const visible = clusters
      .map((c) => c.value)
      // Any role on a cluster (Viewer is the lowest) shows it.
      .filter((c) => hasPlatformRole(principal, c, 'Viewer'));
    return Promise.all(visible.map((c) => this.view(c, jobOf.get(c.id))));
  }

  async get(principal: Principal, id: string): Promise<Cluster> {
    const cluster = await this.record(id);
    requirePlatformRole(principal, cluster.value, 'Viewer');
    return this.view(cluster.value, (await this.job(id))?.value);
  }
}
