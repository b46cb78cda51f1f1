import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { KeyState, type EnableKmsRequest, type StatusEvent } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import { type Clusters, desiredStatus } from '../domain/clusters.ts';
import {
  getDoc,
  json,
  listDocs,
  updateDoc,
  type Doc,
  type EngineContext,
} from '../domain/context.ts';
import { EngineError, conflict, badRequest, unavailable } from '../domain/errors.ts';
import { requirePlatformRole, requireServiceRole, type Principal } from '../domain/iam.ts';
import { adapterFailure, isExpired, keyUnusableReason, type Keys } from '../domain/keys.ts';
import {
  K,
  type ClusterRecord,
  type InstanceRecord,
  type JobRecord,
  type RootKeyRecord,
  type ServiceAuthorizationRecord,
} from '../domain/records.ts';
import type { Seeds } from '../domain/seeds.ts';
import { KeyAdapterError } from '../keys/types.ts';
import { StoreUnavailableError, type Op, type RangeResult } from '../store/types.ts';
import { asBuffer, type SealingSeed } from '../crypto/envelope.ts';
import { ResealPool, type ResealItem } from '../crypto/reseal-pool.ts';
import type { JobOwnership } from './ownership.ts';

export interface ControllerSettings {
  /** Secrets re-encrypted per store transaction (bounded by the store's txn limit). */
  batchSize: number;
  /** Longest pause between retries of a job whose key adapter or store is failing. */
  maxRetryDelayMs: number;
  /** How often expiry of root keys is checked (R9). */
  expirySweepMs: number;
  /** Pause between batches, to pace re-encryption and spare the store (0: only yield). */
  batchPauseMs: number;
}

export const defaultControllerSettings: ControllerSettings = {
  batchSize: 1000,
  maxRetryDelayMs: 15_000,
  batchPauseMs: 0,
  expirySweepMs: 30_000,
};

/** A page of secrets whose new values are being sealed on the worker threads. */
interface Prepared {
  page: RangeResult;
  /** Per secret of the page: its new value, or undefined when the job's key already seals it. */
  sealed: Promise<(Buffer | undefined)[]>;
}

/**
 * A job between batches: its record and root key as last read or written, the next batch (being
 * sealed) and the page after it (being read).
 */
interface JobRun {
  job: Doc<JobRecord>;
  key: Doc<RootKeyRecord>;
  seed: SealingSeed;
  prepared?: Prepared;
  following?: Promise<RangeResult>;
}

/** Room left in each job transaction for the job, cluster and root-key records. */
export const RECORD_ROOM = 64 * 1024;

const isActive = (job: JobRecord | undefined) =>
  job !== undefined && (job.state === 'running' || job.state === 'retrying');

/**
 * The master controller: accepts Enable/Update and key lifecycle actions, runs re-encryption jobs
 * in batches with a checkpoint, and keeps every affected cluster's master status current.
 */
export class MasterController {
  private readonly events = new EventEmitter();
  private readonly running = new Map<string, Promise<void>>();
  private stopped = false;
  private unwatch: (() => void)[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  /** What the last sweep found wrong with each key adapter (undefined: it answered). */
  private adapterProblems = new Map<'software' | 'pkcs11', string | undefined>();
  private readonly sleepers = new Set<() => void>();
  private readonly resealPool = new ResealPool();

  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly keys: Keys,
    private readonly seeds: Seeds,
    private readonly activity: Activity,
    private readonly ownership: JobOwnership,
    private readonly settings: ControllerSettings,
  ) {
    this.events.setMaxListeners(0);
  }

  private get batchSize() {
    return Math.max(1, Math.min(this.settings.batchSize, this.ctx.store.maxTxnOps - 4));
  }

  /** Starts watching status changes, resumes unfinished jobs and the expiry sweep. */
  async start(): Promise<void> {
    const onChange = async (clusterId: string, revision: number) => {
      if (this.events.listenerCount(clusterId) === 0) return;
      const [cluster, job] = await Promise.all([
        getDoc<ClusterRecord>(this.ctx.store, K.cluster(clusterId)),
        getDoc<JobRecord>(this.ctx.store, K.job(clusterId)),
      ]);
      if (cluster)
        this.events.emit(clusterId, this.clusters.statusEvent(cluster.value, job?.value, revision));
    };
    const idOf = (key: string, prefix: string) => key.slice(prefix.length);
    this.unwatch.push(
      await this.ctx.store.watch(
        K.clusters,
        (e) => void onChange(idOf(e.kv.key, K.clusters), e.kv.modRevision).catch(() => {}),
      ),
      await this.ctx.store.watch(
        K.jobs,
        (e) => void onChange(idOf(e.kv.key, K.jobs), e.kv.modRevision).catch(() => {}),
      ),
    );
    // Another replica let a job go (it finished, stopped, or died and its lease expired).
    await this.ownership.onRelease?.((clusterId) => void this.resumeReleased(clusterId));
    await this.reconcile();
    this.sweeper = setInterval(
      () => void this.reconcile().catch((err) => this.ctx.log.warn({ err }, 'reconcile failed')),
      this.settings.expirySweepMs,
    );
    this.sweeper.unref();
  }

  /** Starts the re-encryption workers now rather than on the first job (a long-running engine). */
  warmUp(): Promise<void> {
    return this.resealPool.warm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const wake of this.sleepers) wake();
    for (const u of this.unwatch) u();
    await Promise.allSettled(this.running.values());
    await this.resealPool.close();
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

  /** Resumes unfinished jobs, re-enables clusters behind a rotation, and applies expiry (R6, R9). */
  async reconcile(): Promise<void> {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    const keys = await listDocs<RootKeyRecord>(this.ctx.store, K.keys);
    for (const { value: key } of keys) {
      if (key.state === KeyState.Active && isExpired(key, now)) {
        await this.keys.setState(key.id, KeyState.Deactivated);
        this.seeds.forget(key.id);
        await this.activity.record({
          actor: 'system',
          action: 'key.expire',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: `Root key ${key.name} expired.`,
        });
        for (const r of key.registrations) await this.refreshStatus(r.clusterId);
      }
    }
    const health = await this.ctx.adapterHealth();
    const changed = [...health].some(
      ([name, problem]) => this.adapterProblems.get(name) !== problem,
    );
    this.adapterProblems = health;
    if (changed)
      for (const { value: key } of keys)
        for (const r of key.registrations) await this.refreshStatus(r.clusterId);
    const jobs = await listDocs<JobRecord>(this.ctx.store, K.jobs);
    for (const { value: job } of jobs) if (isActive(job)) this.startJob(job.clusterId);
    for (const { value: key } of keys) {
      const latest = key.versions.at(-1);
      if (!latest || key.state !== KeyState.Active) continue;
      for (const r of key.registrations) {
        if (r.keyVersion === latest.id) continue;
        const job = jobs.find((j) => j.value.clusterId === r.clusterId)?.value;
        if (isActive(job)) continue;
        await this.startRotation(r.clusterId, key, latest.id, 'system').catch((err) =>
          this.ctx.log.warn({ err, clusterId: r.clusterId }, 'could not start rotation'),
        );
      }
    }
  }

  /** Writes the master status that the job and key state call for, if it differs. */
  async refreshStatus(clusterId: string): Promise<void> {
    const [job, cluster] = await Promise.all([
      this.clusters.job(clusterId),
      getDoc<ClusterRecord>(this.ctx.store, K.cluster(clusterId)),
    ]);
    if (!cluster) return;
    const key = cluster.value.kms
      ? await getDoc<RootKeyRecord>(this.ctx.store, K.key(cluster.value.kms.crkId))
      : undefined;
    const now = this.ctx.clock.now();
    const kms = cluster.value.kms;
    const version = key?.value.versions.find((v) => v.id === kms?.keyVersion);
    const want = desiredStatus(
      cluster.value,
      job?.value,
      key?.value,
      now,
      version && this.adapterProblems.get(version.adapter),
    );
    if (
      want.message === cluster.value.status.message &&
      want.health === cluster.value.status.health
    )
      return;
    await updateDoc<ClusterRecord>(this.ctx.store, K.cluster(clusterId), (c) => ({
      ...c,
      status: { ...want, modifiedDate: now.toISOString() },
    }));
  }

  private async ensureServiceAuthorization(
    accountId: string,
    instanceId: string,
    actor: string,
  ): Promise<void> {
    const key = K.authorization(accountId, instanceId);
    const record: ServiceAuthorizationRecord = {
      id: randomUUID(),
      sourceService: 'containers-kubernetes',
      sourceAccountId: accountId,
      targetInstanceId: instanceId,
      role: 'Reader',
      createdAt: this.ctx.clock.now().toISOString(),
    };
    const { succeeded } = await this.ctx.store.txn(
      [{ key, modRevision: 0 }],
      [{ type: 'put', key, value: json(record) }],
    );
    if (succeeded) {
      await this.activity.record({
        actor,
        action: 'authorization.create',
        target: { kind: 'instance', id: instanceId },
        result: 'success',
        message: `Created the Reader service-to-service authorization from Kubernetes Service (account ${accountId}) to KMS instance ${instanceId}.`,
      });
    }
  }

  async serviceAuthorizations(): Promise<ServiceAuthorizationRecord[]> {
    return (
      await listDocs<ServiceAuthorizationRecord>(this.ctx.store, '/keyhaven/authorizations/')
    ).map((d) => d.value);
  }

  /** Enable or Update (R1, R4, R5, R10, R11, R12): validated now, carried out by a job. */
  async enable(principal: Principal, request: EnableKmsRequest) {
    const cluster = await this.clusters.record(request.cluster);
    requirePlatformRole(principal, cluster.value.id, 'Administrator');
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
    requireServiceRole(principal, instance.id, 'Reader');
    const keyDoc = await getDoc<RootKeyRecord>(this.ctx.store, K.key(request.crk_id));
    if (!keyDoc || keyDoc.value.instanceId !== instance.id) {
      throw new EngineError(
        404,
        'NOT_FOUND',
        `Root key ${request.crk_id} was not found in KMS instance ${instance.name}`,
      );
    }
    const key = keyDoc.value;
    const reason = keyUnusableReason(key, this.ctx.clock.now());
    if (reason) throw conflict(reason.code, reason.message);
    if (cluster.value.kms?.crkId === key.id) {
      throw conflict(
        'ROOT_KEY_IN_USE',
        `Root key ${key.name} already encrypts this cluster: pick another root key to update.`,
      );
    }
    if (cluster.value.previousCrkIds.includes(key.id)) {
      throw conflict(
        'ROOT_KEY_USED_BEFORE',
        `Root key ${key.name} was used by this cluster before and cannot be used again.`,
      );
    }
    const job = await this.clusters.job(cluster.value.id);
    if (isActive(job?.value)) {
      throw conflict(
        'ENABLEMENT_IN_PROGRESS',
        'A KMS enablement is already in progress for this cluster; wait until the master is Ready.',
      );
    }
    await this.ensureServiceAuthorization(cluster.value.accountId, instance.id, principal.username);
    const latest = key.versions.at(-1);
    if (!latest) throw conflict('KEY_MISSING', `Root key ${key.name} has no key material.`);
    const reasonOf = cluster.value.kms ? 'update' : 'enable';
    const next = await this.createJob(cluster, job, keyDoc, latest.id, {
      reason: reasonOf,
      actor: principal.username,
      instance,
      privateEndpoint: request.private_endpoint,
      accountId: instance.accountId,
    });
    await this.activity.record({
      actor: principal.username,
      action: `kms.${reasonOf}`,
      target: { kind: 'cluster', id: cluster.value.id },
      result: 'success',
      message: `${reasonOf === 'enable' ? 'Enabled' : 'Updated'} KMS with root key ${key.name} of ${instance.name} (${request.private_endpoint ? 'private' : 'public'} endpoint).`,
    });
    await this.activity.record({
      actor: principal.username,
      action: 'key.register',
      target: { kind: 'key', id: key.id },
      result: 'success',
      message: `Cluster ${cluster.value.name} now uses this root key.`,
    });
    this.startJob(cluster.value.id);
    return { cluster: await this.clusters.view(next.cluster, next.job), jobId: next.job.id };
  }

  private async createJob(
    cluster: Doc<ClusterRecord>,
    job: Doc<JobRecord> | undefined,
    keyDoc: Doc<RootKeyRecord>,
    keyVersion: string,
    how: {
      reason: JobRecord['reason'];
      actor: string;
      instance: InstanceRecord;
      privateEndpoint: boolean;
      accountId: string;
    },
  ) {
    const now = this.ctx.clock.now().toISOString();
    const total = await this.ctx.store.count(K.secrets(cluster.value.id));
    const fromCrkId = cluster.value.kms?.crkId ?? null;
    const nextJob: JobRecord = {
      id: randomUUID(),
      clusterId: cluster.value.id,
      reason: how.reason,
      actor: how.actor,
      instanceId: how.instance.id,
      crkId: keyDoc.value.id,
      keyVersion,
      privateEndpoint: how.privateEndpoint,
      accountId: how.accountId,
      fromCrkId,
      state: 'running',
      checkpoint: null,
      done: 0,
      total,
      startedAt: now,
    };
    const previous =
      fromCrkId && fromCrkId !== keyDoc.value.id
        ? [...new Set([...cluster.value.previousCrkIds, fromCrkId])]
        : cluster.value.previousCrkIds;
    const nextCluster: ClusterRecord = {
      ...cluster.value,
      kms: {
        instanceId: how.instance.id,
        accountId: how.accountId,
        crkId: keyDoc.value.id,
        keyVersion,
        privateEndpoint: how.privateEndpoint,
      },
      previousCrkIds: previous,
      status: {
        ...desiredStatus(cluster.value, nextJob, keyDoc.value, new Date(now)),
        modifiedDate: now,
      },
    };
    const registrations = keyDoc.value.registrations.filter(
      (r) => r.clusterId !== cluster.value.id,
    );
    const nextKey: RootKeyRecord = {
      ...keyDoc.value,
      registrations: [
        ...registrations,
        { clusterId: cluster.value.id, keyVersion, createdAt: now },
      ],
    };
    const { succeeded } = await this.ctx.store.txn(
      [
        { key: K.cluster(cluster.value.id), modRevision: cluster.modRevision },
        { key: K.job(cluster.value.id), modRevision: job?.modRevision ?? 0 },
        { key: K.key(keyDoc.value.id), modRevision: keyDoc.modRevision },
      ],
      [
        { type: 'put', key: K.cluster(cluster.value.id), value: json(nextCluster) },
        { type: 'put', key: K.job(cluster.value.id), value: json(nextJob) },
        { type: 'put', key: K.key(keyDoc.value.id), value: json(nextKey) },
      ],
    );
    if (!succeeded)
      throw conflict(
        'CONCURRENT_CHANGE',
        'The cluster or root key changed while the request ran; try again.',
      );
    return { cluster: nextCluster, job: nextJob };
  }

  private async startRotation(
    clusterId: string,
    key: RootKeyRecord,
    versionId: string,
    actor: string,
  ) {
    const cluster = await this.clusters.record(clusterId);
    if (!cluster.value.kms || cluster.value.kms.crkId !== key.id) return;
    const job = await this.clusters.job(clusterId);
    if (isActive(job?.value)) return;
    const keyDoc = await getDoc<RootKeyRecord>(this.ctx.store, K.key(key.id));
    if (!keyDoc) return;
    const instance = await this.keys.instance(key.instanceId);
    await this.createJob(cluster, job, keyDoc, versionId, {
      reason: 'rotate',
      actor,
      instance,
      privateEndpoint: cluster.value.kms.privateEndpoint,
      accountId: cluster.value.kms.accountId,
    });
    await this.activity.record({
      actor,
      action: 'kms.rotate',
      target: { kind: 'cluster', id: clusterId },
      result: 'success',
      message: `Re-enabling KMS with the new version of root key ${key.name}.`,
    });
    this.startJob(clusterId);
  }

  /** Rotating a root key re-enables every cluster registered to it with the new version (R6). */
  async rotate(principal: Principal, instanceId: string, keyId: string): Promise<RootKeyRecord> {
    const { instance, key } = await this.keys.keyIn(principal, instanceId, keyId, 'Writer');
    const reason = keyUnusableReason(key, this.ctx.clock.now());
    if (reason) throw conflict(reason.code, reason.message);
    for (const r of key.registrations) {
      if (isActive((await this.clusters.job(r.clusterId))?.value)) {
        const cluster = await this.clusters.record(r.clusterId);
        throw conflict(
          'ENABLEMENT_IN_PROGRESS',
          `Cluster ${cluster.value.name} is still re-encrypting; rotate after its master is Ready.`,
        );
      }
    }
    const version = await this.keys.newVersion(instance, key.id);
    const rotated = await updateDoc<RootKeyRecord>(this.ctx.store, K.key(key.id), (k) => ({
      ...k,
      versions: [...k.versions, version],
      lastUpdateDate: this.ctx.clock.now().toISOString(),
    }));
    await this.activity.record({
      actor: principal.username,
      action: 'key.rotate',
      target: { kind: 'key', id: key.id },
      result: 'success',
      message: `Rotated root key ${key.name}: new version ${version.id}.`,
    });
    for (const r of rotated.registrations) {
      await this.startRotation(r.clusterId, rotated, version.id, principal.username);
    }
    return rotated;
  }

  /** Disable (R7) and enable: every cluster using the key follows its state. */
  async setKeyEnabled(
    principal: Principal,
    instanceId: string,
    keyId: string,
    enabled: boolean,
  ): Promise<RootKeyRecord> {
    const { key } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    const from = enabled ? KeyState.Suspended : KeyState.Active;
    if (key.state !== from) {
      const states: Record<number, string> = {
        1: 'active',
        2: 'disabled',
        3: 'deactivated (expired)',
        5: 'destroyed',
      };
      throw conflict(
        'KEY_STATE_CONFLICT',
        `Root key ${key.name} is ${states[key.state] ?? 'in another state'}; it cannot be ${enabled ? 'enabled' : 'disabled'} now.`,
      );
    }
    const updated = await this.keys.setState(
      key.id,
      enabled ? KeyState.Active : KeyState.Suspended,
    );
    this.seeds.forget(key.id);
    await this.activity.record({
      actor: principal.username,
      action: enabled ? 'key.enable' : 'key.disable',
      target: { kind: 'key', id: key.id },
      result: 'success',
      message: `${enabled ? 'Enabled' : 'Disabled'} root key ${key.name}.`,
    });
    for (const r of updated.registrations) {
      await this.refreshStatus(r.clusterId);
      await this.activity.record({
        actor: principal.username,
        action: enabled ? 'key.enable' : 'key.disable',
        target: { kind: 'cluster', id: r.clusterId },
        result: 'success',
        message: enabled
          ? `Root key ${key.name} was enabled: secrets can be read again.`
          : `Root key ${key.name} was disabled: secrets cannot be read.`,
      });
      if (enabled && isActive((await this.clusters.job(r.clusterId))?.value)) this.wakeJobs();
    }
    return updated;
  }

  /** Deleting destroys the key material; a key in use needs force and breaks its clusters (R8). */
  async deleteKey(
    principal: Principal,
    instanceId: string,
    keyId: string,
    force: boolean,
  ): Promise<RootKeyRecord> {
    const { key } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was already deleted.`);
    if (key.registrations.length > 0 && !force) {
      const names = await Promise.all(
        key.registrations.map(
          async (r) =>
            (await getDoc<ClusterRecord>(this.ctx.store, K.cluster(r.clusterId)))?.value.name ??
            r.clusterId,
        ),
      );
      throw conflict(
        'KEY_IN_USE',
        `Root key ${key.name} is used by ${names.join(', ')}. Deleting it makes ${names.length === 1 ? 'that cluster' : 'those clusters'} unusable and their data unrecoverable; pass force=true to delete anyway.`,
        { clusters: key.registrations.map((r, i) => ({ id: r.clusterId, name: names[i] })) },
      );
    }
    for (const version of key.versions) {
      try {
        await this.ctx.adapterFor(version.adapter).destroy(version.handle);
      } catch (err) {
        throw adapterFailure(err);
      }
    }
    const deleted = await this.keys.setState(key.id, KeyState.Destroyed);
    this.seeds.forget(key.id);
    await this.activity.record({
      actor: principal.username,
      action: 'key.delete',
      target: { kind: 'key', id: key.id },
      result: 'success',
      message: `Deleted root key ${key.name}${force ? ' (forced)' : ''}.`,
    });
    for (const r of deleted.registrations) {
      await this.failJob(r.clusterId, `Root key ${key.name} was deleted.`);
      await this.refreshStatus(r.clusterId);
      await this.activity.record({
        actor: principal.username,
        action: 'key.delete',
        target: { kind: 'cluster', id: r.clusterId },
        result: 'failure',
        message: `Root key ${key.name} was deleted: the cluster's secrets are unrecoverable.`,
      });
    }
    return deleted;
  }

  private async failJob(clusterId: string, message: string) {
    const job = await this.clusters.job(clusterId);
    if (!job || !isActive(job.value)) return;
    await updateDoc<JobRecord>(this.ctx.store, K.job(clusterId), (j) => ({
      ...j,
      state: 'failed',
      message,
      finishedAt: this.ctx.clock.now().toISOString(),
    }));
  }

  private wakeJobs() {
    for (const wake of [...this.sleepers]) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  /** Runs the cluster's job in the background if this process may own it. */
  startJob(clusterId: string): void {
    if (this.stopped || this.running.has(clusterId)) return;
    const run = (async () => {
      const release = await this.ownership.acquire(clusterId);
      if (!release) return;
      this.ctx.log.info({ clusterId }, 'took over the re-encryption job');
      try {
        await this.runJob(clusterId);
      } finally {
        await release();
      }
    })()
      .catch((err) => this.ctx.log.error({ err, clusterId }, 'job runner failed'))
      .finally(() => this.running.delete(clusterId));
    this.running.set(clusterId, run);
  }

  private async resumeReleased(clusterId: string): Promise<void> {
    try {
      const jobs =
        clusterId === '*'
          ? (await listDocs<JobRecord>(this.ctx.store, K.jobs)).map((d) => d.value)
          : [(await this.clusters.job(clusterId))?.value];
      for (const job of jobs) if (job && isActive(job)) this.startJob(job.clusterId);
    } catch (err) {
      this.ctx.log.warn({ err, clusterId }, 'could not take over a released job');
    }
  }

  /** Resolves when the cluster's job (if any is running here) has ended. */
  async settled(clusterId: string): Promise<void> {
    await this.running.get(clusterId);
  }

  private async runJob(clusterId: string): Promise<void> {
    let failures = 0;
    let run: JobRun | undefined;
    while (!this.stopped) {
      if (this.ownership.holds && !this.ownership.holds(clusterId)) {
        this.ctx.log.warn({ clusterId }, 'no longer owns the job; leaving it to the new owner');
        return;
      }
      try {
        run = await this.step(clusterId, run);
        if (!run) return;
        // Let requests in between batches: reads keep working while the job runs (R2).
        if (this.settings.batchPauseMs > 0) await this.sleep(this.settings.batchPauseMs);
        else await new Promise((resolve) => setImmediate(resolve));
        if (failures > 0) {
          failures = 0;
          await updateDoc<JobRecord>(this.ctx.store, K.job(clusterId), (j) => {
            const { message: _cleared, ...rest } = j;
            return { ...rest, state: 'running' };
          });
          run = undefined;
          await this.refreshStatus(clusterId);
        }
      } catch (err) {
        run = undefined;
        failures += 1;
        const problem =
          err instanceof EngineError || err instanceof KeyAdapterError
            ? adapterFailure(err)
            : err instanceof StoreUnavailableError
              ? unavailable(
                  'STORE_UNAVAILABLE',
                  'The store is unavailable (no quorum or no connection); the job resumes when it is back.',
                )
              : new EngineError(
                  500,
                  'JOB_FAILED',
                  'The re-encryption job hit an unexpected error; it will retry.',
                );
        // Unexpected errors keep their stack in the log (never values: errors carry none).
        this.ctx.log.warn(
          {
            clusterId,
            code: problem.code,
            msg: problem.message,
            failures,
            ...(problem.code === 'JOB_FAILED' && { err }),
          },
          'enablement batch failed; will retry',
        );
        try {
          await updateDoc<JobRecord>(this.ctx.store, K.job(clusterId), (j) => ({
            ...j,
            state: 'retrying',
            message: problem.message,
          }));
          await this.refreshStatus(clusterId);
        } catch (storeErr) {
          this.ctx.log.warn({ err: storeErr, clusterId }, 'could not record the job failure');
        }
        await this.sleep(Math.min(this.settings.maxRetryDelayMs, 250 * 2 ** Math.min(failures, 8)));
      }
    }
  }

  /** Loads what every batch of a job needs; undefined when the job has ended or no longer applies. */
  private async loadRun(clusterId: string): Promise<JobRun | undefined> {
    const job = await this.clusters.job(clusterId);
    if (!job || !isActive(job.value)) return undefined;
    const key = await getDoc<RootKeyRecord>(this.ctx.store, K.key(job.value.crkId));
    if (!key || key.value.state === KeyState.Destroyed) {
      await this.failJob(clusterId, `Root key ${key?.value.name ?? job.value.crkId} was deleted.`);
      await this.refreshStatus(clusterId);
      return undefined;
    }
    const instance = await this.keys.instance(job.value.instanceId);
    const seed = await this.seeds.sealingSeed(clusterId, key.value, job.value.keyVersion, instance);
    return { job, key, seed };
  }

  private readPage(clusterId: string, after: string | null): Promise<RangeResult> {
    return this.ctx.store.range(K.secrets(clusterId), {
      limit: this.batchSize,
      ...(after !== null && { after }),
    });
  }

  /** Starts reading the page after this one, if there is one; a dropped read fails quietly. */
  private readAfter(clusterId: string, page: RangeResult): Promise<RangeResult> | undefined {
    const last = page.kvs.at(-1);
    if (!page.more || !last) return undefined;
    const reading = this.readPage(clusterId, last.key);
    reading.catch(() => undefined);
    return reading;
  }

  /**
   * Hands a page to the worker threads: values the job's key already seals are skipped, the others
   * go with the unwrapped seeds that open them (resolved here, where the key adapters are).
   */
  private async prepare(
    clusterId: string,
    page: RangeResult,
    seed: SealingSeed,
  ): Promise<Prepared> {
    const { envelope } = this.ctx;
    const resolver = this.seeds.resolver(clusterId);
    const secrets: Buffer[] = [];
    const secretIndex = new Map<string, number>();
    const items: ResealItem[] = [];
    const positions: number[] = [];
    for (const [position, kv] of page.kvs.entries()) {
      const decoded = envelope.decode(kv.value);
      if (decoded?.object.keyID === seed.keyId) continue;
      let secret: number | undefined;
      if (decoded) {
        const { keyID, encryptedDEKSource, encryptedDEKSourceType } = decoded.object;
        const source = asBuffer(encryptedDEKSource);
        const id = `${keyID}/${source.toString('base64')}`;
        secret = secretIndex.get(id);
        if (secret === undefined) {
          secret =
            secrets.push(
              await resolver.resolve(keyID, source, encryptedDEKSourceType, decoded.providerName),
            ) - 1;
          secretIndex.set(id, secret);
        }
      }
      items.push({ key: kv.key, value: kv.value, ...(secret !== undefined && { secret }) });
      positions.push(position);
    }
    const sealed = this.resealPool.reseal(items, secrets, seed).then((values) => {
      const byPosition = new Array<Buffer | undefined>(page.kvs.length);
      positions.forEach((position, i) => (byPosition[position] = values[i]));
      return byPosition;
    });
    // A batch dropped after a failure is never awaited; its failure goes with it.
    sealed.catch(() => undefined);
    return { page, sealed };
  }

  /**
   * Re-encrypts one batch; returns the run to continue with, or undefined when the job has finished
   * (or no longer applies). A run keeps the job's and root key's revisions between batches instead
   * of reading them again: each batch's transaction compares both, so a change to either (the key
   * disabled or deleted, the job cancelled) fails the batch, and the next step reloads.
   *
   * Batches form a pipeline: while this batch commits on the main thread, the next one is sealed
   * on the worker threads and the page after it is read. Reading ahead is safe because
   * secret writes are refused while the job runs (R2), so the pages cannot change under it.
   */
  private async step(clusterId: string, current: JobRun | undefined): Promise<JobRun | undefined> {
    const { store } = this.ctx;
    const run = current ?? (await this.loadRun(clusterId));
    if (!run) return undefined;
    const { job: jobDoc, key: keyDoc, seed } = run;
    const job = jobDoc.value;
    const { page, sealed } =
      run.prepared ??
      (await this.prepare(clusterId, await this.readPage(clusterId, job.checkpoint), seed));
    const following = run.following ?? this.readAfter(clusterId, page);
    const values = await sealed;
    const ops: Op[] = [];
    // A batch also fits the store's request size (etcd: 1.5 MiB), with room for the records that
    // change with it; one secret alone always fits (Kubernetes caps secrets at 1 MiB).
    const budget = store.maxTxnBytes - RECORD_ROOM;
    let bytes = 0;
    let taken = 0;
    for (const [position, kv] of page.kvs.entries()) {
      const value = values[position];
      if (value) {
        if (taken > 0 && bytes + kv.key.length + value.length > budget) break;
        bytes += kv.key.length + value.length;
        ops.push({ type: 'put', key: kv.key, value });
      }
      taken += 1;
    }
    const more = page.more || taken < page.kvs.length;
    const now = this.ctx.clock.now().toISOString();
    const last = page.kvs[taken - 1];
    const nextJob: JobRecord = {
      ...job,
      state: 'running',
      checkpoint: last?.key ?? job.checkpoint,
      done: Math.min(job.total, job.done + taken),
    };
    const compares = [
      { key: K.job(clusterId), modRevision: jobDoc.modRevision },
      { key: K.key(job.crkId), modRevision: keyDoc.modRevision },
    ];
    if (more) {
      // A batch cut short by the size budget leaves the pipeline, and so does a failure to read
      // or prepare the next page (this batch still commits): the next step starts afresh from
      // the checkpoint, where such a failure counts.
      const ahead: Pick<JobRun, 'prepared' | 'following'> =
        following && taken === page.kvs.length
          ? await following
              .then(async (nextPage) => ({
                prepared: await this.prepare(clusterId, nextPage, seed),
                ...(nextPage.more && { following: this.readAfter(clusterId, nextPage) }),
              }))
              .catch(() => ({}))
          : {};
      const { succeeded, revision } = await store.txn(compares, [
        ...ops,
        { type: 'put', key: K.job(clusterId), value: json(nextJob) },
      ]);
      if (!succeeded)
        throw conflict('CONCURRENT_CHANGE', 'the job or its root key changed while a batch ran');
      return { key: keyDoc, seed, ...ahead, job: { value: nextJob, modRevision: revision } };
    }
    // The last batch: the job, the cluster's status and the old key's registration change together.
    const cluster = await this.clusters.record(clusterId);
    const finishedJob: JobRecord = {
      ...nextJob,
      state: 'succeeded',
      done: job.total,
      finishedAt: now,
    };
    const finishedCluster: ClusterRecord = {
      ...cluster.value,
      status: {
        ...desiredStatus(cluster.value, finishedJob, keyDoc.value, new Date(now)),
        modifiedDate: now,
      },
    };
    const finalOps: Op[] = [
      ...ops,
      { type: 'put', key: K.job(clusterId), value: json(finishedJob) },
      { type: 'put', key: K.cluster(clusterId), value: json(finishedCluster) },
    ];
    compares.push({ key: K.cluster(clusterId), modRevision: cluster.modRevision });
    const updatedKey = {
      ...keyDoc.value,
      registrations: keyDoc.value.registrations.map((r) =>
        r.clusterId === clusterId ? { ...r, keyVersion: job.keyVersion } : r,
      ),
    };
    finalOps.push({ type: 'put', key: K.key(job.crkId), value: json(updatedKey) });
    if (job.fromCrkId && job.fromCrkId !== job.crkId) {
      const fromDoc = await getDoc<RootKeyRecord>(store, K.key(job.fromCrkId));
      if (fromDoc) {
        const released = {
          ...fromDoc.value,
          registrations: fromDoc.value.registrations.filter((r) => r.clusterId !== clusterId),
        };
        finalOps.push({ type: 'put', key: K.key(job.fromCrkId), value: json(released) });
        compares.push({ key: K.key(job.fromCrkId), modRevision: fromDoc.modRevision });
      }
    }
    const { succeeded } = await store.txn(compares, finalOps);
    if (!succeeded)
      throw conflict(
        'CONCURRENT_CHANGE',
        'the cluster or a root key changed while the last batch ran',
      );
    await this.activity.record({
      actor: job.actor,
      action: 'kms.ready',
      target: { kind: 'cluster', id: clusterId },
      result: 'success',
      message: `Re-encrypted ${job.total} secrets under root key ${keyDoc.value.name}; the master is Ready.`,
    });
    return undefined;
  }
}
