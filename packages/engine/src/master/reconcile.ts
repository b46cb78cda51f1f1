import { KeyState, isJobActive, isKeyExpired } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import { listDocs, type EngineContext } from '../domain/context.ts';
import type { Keys } from '../domain/keys.ts';
import type { KeyLifecycle } from '../domain/key-lifecycle.ts';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../domain/records.ts';
import type { Seeds } from '../domain/seeds.ts';
import type { Enablement } from './enablement.ts';
import type { JobRunner } from './job-runner.ts';
import type { StatusFeed } from './status-feed.ts';

/**
 * The periodic sweep that makes the store's state true again: expires root keys past their date
 * (R9), rotates keys whose rotation policy is due, follows key-adapter health into Master status, resumes unfinished jobs, and re-enables
 * clusters behind a rotation (R6).
 */
export class Reconciler {
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly seeds: Seeds,
    private readonly activity: Activity,
    private readonly feed: StatusFeed,
    private readonly runner: JobRunner,
    private readonly enablement: Enablement,
    private readonly policies: Pick<KeyLifecycle, 'rotateDue'>,
  ) {}

  /** Sweeps now, then every `everyMs`. */
  async start(everyMs: number): Promise<void> {
    await this.reconcile();
    this.sweeper = setInterval(
      () => void this.reconcile().catch((err) => this.ctx.log.warn({ err }, 'reconcile failed')),
      everyMs,
    );
    this.sweeper.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async reconcile(): Promise<void> {
    if (this.stopped) return;
    const keys = (await listDocs<RootKeyRecord>(this.ctx.store, StoreKey.keys)).map((d) => d.value);
    await this.expireKeys(keys);
    await this.policies.rotateDue(keys);
    if (this.feed.setAdapterHealth(await this.ctx.adapterHealth()))
      for (const key of keys) await this.refreshRegistered(key);
    const jobs = (await listDocs<JobRecord>(this.ctx.store, StoreKey.jobs)).map((d) => d.value);
    for (const job of jobs) if (isJobActive(job)) this.runner.start(job.clusterId);
    await this.startRotations(keys, jobs);
  }

  private async refreshRegistered(key: RootKeyRecord): Promise<void> {
    for (const r of key.registrations) await this.feed.refresh(r.clusterId);
  }

  private async expireKeys(keys: RootKeyRecord[]): Promise<void> {
    const now = this.ctx.clock.now();
    for (const key of keys) {
      if (key.state !== KeyState.Active || !isKeyExpired(key, now)) continue;
      const { accountId } = await this.keys.instance(key.instanceId);
      await this.keys.setState(key.id, KeyState.Deactivated, () => [
        ...this.activity.ops({
          accountId,
          actor: 'system',
          action: 'key.expire',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: `Root key ${key.name} expired.`,
        }),
      ]);
      this.seeds.forget(key.id);
      await this.refreshRegistered(key);
    }
  }

  /** Clusters registered to an older version of an active key move to its latest version. */
  private async startRotations(keys: RootKeyRecord[], jobs: JobRecord[]): Promise<void> {
    for (const key of keys) {
      const latest = key.versions.at(-1);
      if (!latest || key.state !== KeyState.Active) continue;
      for (const r of key.registrations) {
        if (r.keyVersion === latest.id) continue;
        if (isJobActive(jobs.find((j) => j.clusterId === r.clusterId))) continue;
        await this.enablement
          .startRotation(r.clusterId, key, latest.id, 'system')
          .catch((err) =>
            this.ctx.log.warn({ err, clusterId: r.clusterId }, 'could not start rotation'),
          );
      }
    }
  }
}
