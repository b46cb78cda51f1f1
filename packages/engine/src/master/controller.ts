import { KeyState, type EnableKmsRequest, type StatusEvent } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import type { AuthorizationListener, Authorizations } from '../domain/authorizations.ts';
import type { Clusters } from '../domain/clusters.ts';
import { getDoc, listDocs, type EngineContext } from '../domain/context.ts';
import type { Principal } from '../domain/iam.ts';
import type { KeyLifecycle, KeyLifecycleListener } from '../domain/key-lifecycle.ts';
import type { Keys } from '../domain/keys.ts';
import { StoreKey, type ClusterRecord, type RootKeyRecord } from '../domain/records.ts';
import type { Seeds } from '../domain/seeds.ts';
import { Enablement } from './enablement.ts';
import { JobRunner, type JobPipeline } from './job-runner.ts';
import { Migration, type MigrationRun } from './migration.ts';
import type { JobOwnership } from './ownership.ts';
import { Reconciler } from './reconcile.ts';
import { Reencryption, type JobRun } from './reencryption.ts';
import type { ClusterAccess } from '../domain/cluster-access.ts';
import type { ControllerSettings } from './settings.ts';
import { StatusFeed } from './status-feed.ts';

/** What the master controller is built from. */
export interface MasterControllerParts {
  ctx: EngineContext;
  clusters: Clusters;
  keys: Keys;
  seeds: Seeds;
  activity: Activity;
  authorizations: Authorizations;
  ownership: JobOwnership;
  settings: ControllerSettings;
  /** How the storage migration reaches connected clusters. */
  access: ClusterAccess;
  /** Rotates keys whose rotation policy is due, in the reconcile sweep. */
  keyLifecycle: Pick<KeyLifecycle, 'rotateDue'>;
}

/**
 * The master controller: wires the status feed, enablement, the job runner with its re-encryption
 * pipeline, and the reconcile sweep, and follows root-key changes into the clusters that use them.
 */
export class MasterController implements KeyLifecycleListener, AuthorizationListener {
  private readonly feed: StatusFeed;
  private readonly pipeline: Reencryption;
  private readonly runner: JobRunner;
  private readonly enablement: Enablement;
  private readonly reconciler: Reconciler;

  private readonly ctx: EngineContext;
  private readonly authorizations: Authorizations;
  private readonly ownership: JobOwnership;
  private readonly settings: ControllerSettings;
  private readonly access: ClusterAccess;

  constructor(parts: MasterControllerParts) {
    const { ctx, clusters, keys, seeds, activity, authorizations, ownership, settings, access } =
      parts;
    this.ctx = ctx;
    this.authorizations = authorizations;
    this.ownership = ownership;
    this.settings = settings;
    this.access = access;
    const batchSize = Math.max(1, Math.min(settings.batchSize, ctx.store.maxTxnOps - 4));
    const abandon = (id: string, why: string) => this.runner.fail(id, why);
    this.feed = new StatusFeed(ctx, clusters, authorizations);
    this.pipeline = new Reencryption(ctx, clusters, keys, seeds, activity, batchSize, abandon);
    const migration = new Migration(ctx, clusters, access, activity, settings, abandon);
    const isMigration = (run: unknown): run is MigrationRun =>
      (run as MigrationRun | undefined)?.kind === 'migration';
    // Demo clusters re-encrypt the engine's own store; connected clusters migrate through their API server.
    const jobs: JobPipeline = {
      step: async (clusterId, run) => {
        if (isMigration(run)) return migration.step(clusterId, run);
        if (run !== undefined) return this.pipeline.step(clusterId, run as JobRun);
        const cluster = await clusters.record(clusterId);
        return cluster.value.connection
          ? migration.step(clusterId, undefined)
          : this.pipeline.step(clusterId, undefined);
      },
      release: (run) => {
        if (isMigration(run)) run.client.close();
      },
    };
    this.runner = new JobRunner(ctx, clusters, ownership, this.feed, jobs, settings, activity);
    this.enablement = new Enablement(ctx, clusters, keys, activity, authorizations, this.runner);
    this.reconciler = new Reconciler(
      ctx,
      keys,
      seeds,
      activity,
      this.feed,
      this.runner,
      this.enablement,
      parts.keyLifecycle,
    );
  }

  /** Starts watching status changes, resumes unfinished jobs and the expiry sweep. */
  async start(): Promise<void> {
    await this.feed.start();
    // Another replica let a job go (it finished, stopped, or died and its lease expired).
    await this.ownership.onRelease?.((clusterId) => void this.runner.resumeReleased(clusterId));
    await this.reconciler.start(this.settings.expirySweepMs);
  }

  /** Starts the re-encryption workers now rather than on the first job (a long-running engine). */
  warmUp(): Promise<void> {
    return this.pipeline.warmUp();
  }

  async stop(): Promise<void> {
    this.reconciler.stop();
    this.feed.stop();
    await this.runner.stop();
    await this.pipeline.close();
  }

  /** Sends every status change of the cluster, starting with its current status. */
  watch(clusterId: string, listener: (event: StatusEvent) => void): Promise<() => void> {
    return this.feed.watch(clusterId, listener);
  }

  /** Sends every status change of these clusters, starting with their current status. */
  watchAll(
    clusterIds: ReadonlySet<string>,
    listener: (event: StatusEvent) => void,
  ): Promise<() => void> {
    return this.feed.watchAll(clusterIds, listener);
  }

  /** Enable or Update: validated now, carried out by a job. */
  enable(principal: Principal, request: EnableKmsRequest) {
    return this.enablement.enable(principal, request);
  }

  /** Every service-to-service authorization in the store. */
  serviceAuthorizations() {
    return this.authorizations.records();
  }

  reconcile(): Promise<void> {
    return this.reconciler.reconcile();
  }

  refreshStatus(clusterId: string): Promise<void> {
    return this.feed.refresh(clusterId);
  }

  /** Resolves when the cluster's job (if any is running here) has ended. */
  settled(clusterId: string): Promise<void> {
    return this.runner.settled(clusterId);
  }

  async rotated(
    key: RootKeyRecord,
    versionId: string,
    actor: string,
    byPolicy = false,
  ): Promise<void> {
    for (const r of key.registrations)
      await this.enablement.startRotation(r.clusterId, key, versionId, actor, byPolicy);
  }

  async stateChanged(key: RootKeyRecord): Promise<void> {
    for (const r of key.registrations) {
      await this.feed.refresh(r.clusterId);
      void this.prodApiServer(r.clusterId);
    }
    // A job waiting for the key to come back retries at once.
    if (key.state === KeyState.Active) this.runner.wake();
  }

  /** A connected cluster's API server re-checks its KMS plug-in at once (best effort). */
  private async prodApiServer(clusterId: string): Promise<void> {
    try {
      const cluster = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(clusterId));
      if (cluster?.value.connection) await this.access.recheckKms(cluster.value);
    } catch (err) {
      this.ctx.log.debug({ err, clusterId }, 'could not prod the API server');
    }
  }

  /** An authorization came or went: every cluster with KMS re-checks its status. */
  async authorizationsChanged(): Promise<void> {
    for (const { value } of await listDocs<ClusterRecord>(this.ctx.store, StoreKey.clusters))
      if (value.kms) await this.feed.refresh(value.id);
  }

  async deleted(key: RootKeyRecord): Promise<void> {
    for (const r of key.registrations)
      await this.runner.fail(r.clusterId, `Root key ${key.name} was deleted.`);
  }
}
