import { randomUUID } from 'node:crypto';
import { isJobActive, keyOfCluster, type EnableKmsRequest } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import { type Clusters, desiredStatus } from '../domain/clusters.ts';
import type { Authorizations } from '../domain/authorizations.ts';
import { getDoc, json, type Doc, type EngineContext } from '../domain/context.ts';
import { EngineError, badRequest, conflict } from '../domain/errors.ts';
import { requirePlatformRole, requireServiceRole, type Principal } from '../domain/iam.ts';
import { requireUsableKey, type Keys } from '../domain/keys.ts';
import {
  StoreKey,
  type ClusterRecord,
  type InstanceRecord,
  type JobRecord,
  type RootKeyRecord,
} from '../domain/records.ts';
import type { Op } from '../store/types.ts';
import type { JobRunner } from './job-runner.ts';

interface JobSpec {
  reason: JobRecord['reason'];
  actor: string;
  instance: InstanceRecord;
  privateEndpoint: boolean;
  accountId: string;
}

/**
 * Accepts Enable, Update and rotation (R1, R4, R5, R6, R10, R11, R12): checks them now, then writes
 * the cluster's new KMS configuration, the key registration and the job in one transaction, and
 * hands the job to the runner.
 */
export class Enablement {
  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly keys: Keys,
    private readonly activity: Activity,
    private readonly authorizations: Authorizations,
    private readonly runner: JobRunner,
  ) {}

  async enable(principal: Principal, request: EnableKmsRequest) {
    const cluster = await this.clusters.record(request.cluster);
    requirePlatformRole(principal, cluster.value, 'Administrator');
    const instance = await this.keys.instance(request.instance_id);
    if (
      instance.accountId !== cluster.value.accountId &&
      request.account_id !== instance.accountId
    ) {
      throw badRequest(
        'ACCOUNT_MISMATCH',
        `KMS instance ${instance.name} belongs to account ${instance.accountId}; pass account_id=${instance.accountId} to use cross-account encryption.`,
        { field: 'account_id' },
      );
    }
    requireServiceRole(principal, instance, 'Reader');
    // The root key by its id, or by one of its aliases in the instance.
    const keyDoc = await this.keys.byIdOrAlias(instance.id, request.crk_id);
    if (!keyDoc || keyDoc.value.instanceId !== instance.id) {
      throw new EngineError(
        404,
        'NOT_FOUND',
        `Root key ${request.crk_id} was not found in KMS instance ${instance.name}`,
      );
    }
    const key = keyDoc.value;
    requireUsableKey(key, this.ctx.clock.now());
    this.refuseKeyOfCluster(cluster.value, key);
    const job = await this.clusters.job(cluster.value.id);
    if (isJobActive(job?.value)) {
      throw conflict(
        'ENABLEMENT_IN_PROGRESS',
        'A KMS enablement is already in progress for this cluster; wait until the master is Ready.',
      );
    }
    await this.requireAuthorization(cluster.value.accountId, instance, principal.username);
    const latest = key.versions.at(-1);
    if (!latest) throw conflict('KEY_MISSING', `Root key ${key.name} has no key material.`);
    const reason = cluster.value.kms ? 'update' : 'enable';
    const endpoint = request.private_endpoint ? 'private' : 'public';
    const next = await this.createJob(
      cluster,
      job,
      keyDoc,
      latest.id,
      {
        reason,
        actor: principal.username,
        instance,
        privateEndpoint: request.private_endpoint,
        accountId: instance.accountId,
      },
      [
        ...this.activity.ops({
          accountId: cluster.value.accountId,
          actor: principal.username,
          action: `kms.${reason}`,
          target: { kind: 'cluster', id: cluster.value.id },
          result: 'success',
          message: `${reason === 'enable' ? 'Enabled' : 'Updated'} KMS with root key ${key.name} of ${instance.name} (${endpoint} endpoint).`,
        }),
        ...this.activity.ops({
          accountId: instance.accountId,
          actor: principal.username,
          action: 'key.register',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: `Cluster ${cluster.value.name} now uses this root key.`,
        }),
      ],
    );
    this.runner.start(cluster.value.id);
    return { cluster: await this.clusters.view(next.cluster, next.job), jobId: next.job.id };
  }

  /**
   * Kubernetes Service of the cluster's account must be authorized to use the instance: made once
   * in the cluster's own account (R10); granted by the instance's account for another one (R11).
   */
  private async requireAuthorization(accountId: string, instance: InstanceRecord, actor: string) {
    if (instance.accountId === accountId) {
      await this.authorizations.ensure(accountId, instance, actor);
      return;
    }
    if (await this.authorizations.find(accountId, instance)) return;
    throw new EngineError(
      403,
      'AUTHORIZATION_MISSING',
      `Kubernetes Service in account ${accountId} is not authorized to use KMS instance ${instance.name}: an administrator of account ${instance.accountId} must create a Reader service-to-service authorization from Kubernetes Service (source account ${accountId}) to that instance.`,
      {
        grantingAccount: instance.accountId,
        required: {
          source: { accountId, serviceName: 'containers-kubernetes' },
          target: {
            accountId: instance.accountId,
            serviceName: instance.provider,
            instanceId: instance.id,
          },
          roles: ['Reader'],
        },
      },
    );
  }

  /** A key that encrypts the cluster now, or did before, cannot be picked (R4). */
  private refuseKeyOfCluster(cluster: ClusterRecord, key: RootKeyRecord): void {
    const had = keyOfCluster(key, {
      crkId: cluster.kms?.crkId,
      previousCrkIds: cluster.previousCrkIds,
    });
    if (had) throw conflict(had.code, had.message);
  }

  /** Re-enables a cluster with a new version of its root key (R6); nothing when it no longer applies. */
  async startRotation(
    clusterId: string,
    key: RootKeyRecord,
    versionId: string,
    actor: string,
    byPolicy = false,
  ): Promise<void> {
    const cluster = await this.clusters.record(clusterId);
    const kms = cluster.value.kms;
    if (!kms || kms.crkId !== key.id) return;
    const job = await this.clusters.job(clusterId);
    if (isJobActive(job?.value)) return;
    const keyDoc = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(key.id));
    if (!keyDoc) return;
    const instance = await this.keys.instance(key.instanceId);
    const spec: JobSpec = {
      reason: 'rotate',
      actor,
      instance,
      privateEndpoint: kms.privateEndpoint,
      accountId: kms.accountId,
    };
    await this.createJob(cluster, job, keyDoc, versionId, spec, [
      ...this.activity.ops({
        accountId: cluster.value.accountId,
        actor,
        action: 'kms.rotate',
        target: { kind: 'cluster', id: clusterId },
        result: 'success',
        message: `${byPolicy ? 'Rotated by policy: re-enabling' : 'Re-enabling'} KMS with the new version of root key ${key.name}.`,
      }),
    ]);
    this.runner.start(clusterId);
  }

  /** The job, the cluster's KMS configuration and the key's registration, written together. */
  private async createJob(
    cluster: Doc<ClusterRecord>,
    job: Doc<JobRecord> | undefined,
    keyDoc: Doc<RootKeyRecord>,
    keyVersion: string,
    spec: JobSpec,
    activity: Op[],
  ) {
    const now = this.ctx.clock.now().toISOString();
    const clusterId = cluster.value.id;
    const fromCrkId = cluster.value.kms?.crkId ?? null;
    const fromKey =
      fromCrkId && fromCrkId !== keyDoc.value.id
        ? await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(fromCrkId))
        : undefined;
    const nextJob: JobRecord = {
      id: randomUUID(),
      clusterId,
      reason: spec.reason,
      actor: spec.actor,
      instanceId: spec.instance.id,
      crkId: keyDoc.value.id,
      keyVersion,
      privateEndpoint: spec.privateEndpoint,
      accountId: spec.accountId,
      fromCrkId,
      ...(fromKey && { fromCrkName: fromKey.value.name }),
      state: 'running',
      checkpoint: null,
      done: 0,
      total: await this.ctx.store.count(StoreKey.secrets(clusterId)),
      startedAt: now,
    };
    const nextCluster: ClusterRecord = {
      ...cluster.value,
      kms: {
        instanceId: spec.instance.id,
        accountId: spec.accountId,
        crkId: keyDoc.value.id,
        keyVersion,
        privateEndpoint: spec.privateEndpoint,
      },
      previousCrkIds:
        fromCrkId && fromCrkId !== keyDoc.value.id
          ? [...new Set([...cluster.value.previousCrkIds, fromCrkId])]
          : cluster.value.previousCrkIds,
      status: {
        ...desiredStatus({
          cluster: cluster.value,
          job: nextJob,
          key: keyDoc.value,
          now: new Date(now),
        }),
        modifiedDate: now,
      },
    };
    const nextKey: RootKeyRecord = {
      ...keyDoc.value,
      registrations: [
        ...keyDoc.value.registrations.filter((r) => r.clusterId !== clusterId),
        { clusterId, keyVersion, createdAt: now },
      ],
    };
    const { succeeded } = await this.ctx.store.txn(
      [
        { key: StoreKey.cluster(clusterId), modRevision: cluster.modRevision },
        { key: StoreKey.job(clusterId), modRevision: job?.modRevision ?? 0 },
        { key: StoreKey.key(keyDoc.value.id), modRevision: keyDoc.modRevision },
      ],
      [
        { type: 'put', key: StoreKey.cluster(clusterId), value: json(nextCluster) },
        { type: 'put', key: StoreKey.job(clusterId), value: json(nextJob) },
        { type: 'put', key: StoreKey.key(keyDoc.value.id), value: json(nextKey) },
        ...activity,
      ],
    );
    if (!succeeded)
      throw conflict(
        'CONCURRENT_CHANGE',
        'The cluster or root key changed while the request ran; try again.',
      );
    return { cluster: nextCluster, job: nextJob };
  }
}
