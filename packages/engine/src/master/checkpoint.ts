import { KeyState, isJobActive } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import type { EngineContext, Doc } from '../domain/context.ts';
import { desiredStatus, type Clusters } from '../domain/clusters.ts';
import { getDoc, json } from '../domain/context.ts';
import { conflict } from '../domain/errors.ts';
import {
  StoreKey,
  type ClusterRecord,
  type JobRecord,
  type RootKeyRecord,
} from '../domain/records.ts';
import type { Compare, Op } from '../store/types.ts';

// A job's checkpoint and progress, kept apart from the pipeline that moves them: the last store key
// re-encrypted, how many secrets are done, and the records that change when the job completes.

/**
 * The cluster's job, when it is still active, with its root key; a key deleted meanwhile ends the
 * job through `abandon`. What every pipeline loads before its first step.
 */
export async function activeJob(
  ctx: EngineContext,
  clusters: Clusters,
  clusterId: string,
  abandon: (clusterId: string, message: string) => Promise<void>,
): Promise<{ job: Doc<JobRecord>; key: Doc<RootKeyRecord> } | undefined> {
  const job = await clusters.job(clusterId);
  if (!job || !isJobActive(job.value)) return undefined;
  const key = await getDoc<RootKeyRecord>(ctx.store, StoreKey.key(job.value.crkId));
  if (!key || key.value.state === KeyState.Destroyed) {
    await abandon(clusterId, `Root key ${key?.value.name ?? job.value.crkId} was deleted.`);
    return undefined;
  }
  return { job, key };
}

/** The job after a batch that took `taken` secrets ending at `lastKey`. */
export function advance(job: JobRecord, lastKey: string | undefined, taken: number): JobRecord {
  return {
    ...job,
    state: 'running',
    checkpoint: lastKey ?? job.checkpoint,
    done: Math.min(job.total, job.done + taken),
  };
}

/** Compares that make a batch fail when the job or its root key changed since they were read. */
export const batchCompares = (job: Doc<JobRecord>, key: Doc<RootKeyRecord>): Compare[] => [
  { key: StoreKey.job(job.value.clusterId), modRevision: job.modRevision },
  { key: StoreKey.key(job.value.crkId), modRevision: key.modRevision },
];

/**
 * What the last batch writes beside its secrets: the job succeeded, the cluster's status, the
 * root key's registration at the job's version, and the old key's registration dropped.
 */
async function completion(
  ctx: EngineContext,
  job: JobRecord,
  key: RootKeyRecord,
  cluster: Doc<ClusterRecord>,
): Promise<{ compares: Compare[]; ops: Op[] }> {
  const now = ctx.clock.now().toISOString();
  const clusterId = job.clusterId;
  const finishedJob: JobRecord = { ...job, state: 'succeeded', done: job.total, finishedAt: now };
  const finishedCluster: ClusterRecord = {
    ...cluster.value,
    status: {
      ...desiredStatus({ cluster: cluster.value, job: finishedJob, key, now: new Date(now) }),
      modifiedDate: now,
    },
  };
  const registered: RootKeyRecord = {
    ...key,
    registrations: key.registrations.map((r) =>
      r.clusterId === clusterId ? { ...r, keyVersion: job.keyVersion } : r,
    ),
  };
  const compares: Compare[] = [
    { key: StoreKey.cluster(clusterId), modRevision: cluster.modRevision },
  ];
  const ops: Op[] = [
    { type: 'put', key: StoreKey.job(clusterId), value: json(finishedJob) },
    { type: 'put', key: StoreKey.cluster(clusterId), value: json(finishedCluster) },
    { type: 'put', key: StoreKey.key(job.crkId), value: json(registered) },
  ];
  if (job.fromCrkId && job.fromCrkId !== job.crkId) {
    const from = await getDoc<RootKeyRecord>(ctx.store, StoreKey.key(job.fromCrkId));
    if (from) {
      const released: RootKeyRecord = {
        ...from.value,
        registrations: from.value.registrations.filter((r) => r.clusterId !== clusterId),
      };
      ops.push({ type: 'put', key: StoreKey.key(job.fromCrkId), value: json(released) });
      compares.push({ key: StoreKey.key(job.fromCrkId), modRevision: from.modRevision });
    }
  }
  return { compares, ops };
}

/**
 * Ends a job at `job`, its last checkpoint: its last writes (`ops`), the job, the cluster's status,
 * the key registrations and the kms.ready activity entry change together, provided the job and
 * its key are still as `run` loaded them; otherwise nothing is written and the step is retried.
 */
export async function finishJob(
  deps: { ctx: EngineContext; clusters: Clusters; activity: Activity },
  run: { job: Doc<JobRecord>; key: Doc<RootKeyRecord> },
  job: JobRecord,
  ops: Op[],
  message: string,
): Promise<void> {
  const cluster = await deps.clusters.record(job.clusterId);
  const done = await completion(deps.ctx, job, run.key.value, cluster);
  const { succeeded } = await deps.ctx.store.txn(
    [...batchCompares(run.job, run.key), ...done.compares],
    [
      ...ops,
      ...done.ops,
      ...deps.activity.ops({
        accountId: cluster.value.accountId,
        actor: job.actor,
        action: 'kms.ready',
        target: { kind: 'cluster', id: job.clusterId },
        result: 'success',
        message,
      }),
    ],
  );
  if (!succeeded)
    throw conflict('CONCURRENT_CHANGE', 'the cluster or a root key changed as the job finished');
}
