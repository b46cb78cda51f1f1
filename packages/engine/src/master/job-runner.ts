import { isJobActive } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import type { Clusters } from '../domain/clusters.ts';
import { listDocs, updateDoc, type EngineContext } from '../domain/context.ts';
import { StoreKey, type JobRecord } from '../domain/records.ts';
import { classifyJobFailure } from './job-failure.ts';
import type { JobOwnership } from './ownership.ts';
import type { ControllerSettings } from './settings.ts';
import type { StatusFeed } from './status-feed.ts';

/** What moves a job forward: one step at a time, with the state it carries between steps. */
export interface JobPipeline {
  /** One batch or page; the run to continue with, or undefined when the job has ended. */
  step(clusterId: string, run: unknown): Promise<unknown>;
  /** Lets go of what a run holds (connections) when the runner stops in the middle. */
  release(run: unknown): void;
}

/**
 * Schedules re-encryption jobs: runs each cluster's job where this process owns it, batch after
 * batch, and retries a failing job with backoff, recording why in the job and in Master status.
 */
export class JobRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly ownership: JobOwnership,
    private readonly feed: StatusFeed,
    private readonly pipeline: JobPipeline,
    private readonly settings: ControllerSettings,
    private readonly activity: Activity,
  ) {}

  /** Runs the cluster's job in the background if this process may own it. */
  start(clusterId: string): void {
    if (this.stopped || this.running.has(clusterId)) return;
    const run = (async () => {
      const release = await this.ownership.acquire(clusterId);
      if (!release) return;
      this.ctx.log.info({ clusterId }, 'took over the re-encryption job');
      try {
        await this.run(clusterId);
      } finally {
        await release();
      }
    })()
      .catch((err) => this.ctx.log.error({ err, clusterId }, 'job runner failed'))
      .finally(() => this.running.delete(clusterId));
    this.running.set(clusterId, run);
  }

  /** Resolves when the cluster's job (if any is running here) has ended. */
  async settled(clusterId: string): Promise<void> {
    await this.running.get(clusterId);
  }

  /** Another replica let a job go ('*': any may be free): take over those still active. */
  async resumeReleased(clusterId: string): Promise<void> {
    try {
      const jobs =
        clusterId === '*'
          ? (await listDocs<JobRecord>(this.ctx.store, StoreKey.jobs)).map((d) => d.value)
          : [(await this.clusters.job(clusterId))?.value];
      for (const job of jobs) if (job && isJobActive(job)) this.start(job.clusterId);
    } catch (err) {
      this.ctx.log.warn({ err, clusterId }, 'could not take over a released job');
    }
  }

  /** Ends the cluster's active job as failed (its root key is gone), and updates its status. */
  async fail(clusterId: string, message: string): Promise<void> {
    const job = await this.clusters.job(clusterId);
    if (job && isJobActive(job.value)) {
      await updateDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId), (j) => ({
        ...j,
        state: 'failed',
        message,
        finishedAt: this.ctx.clock.now().toISOString(),
      }));
    }
    await this.feed.refresh(clusterId);
  }

  /** Ends every wait between retries at once (a root key came back). */
  wake(): void {
    for (const sleeper of [...this.sleepers]) sleeper.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await Promise.allSettled(this.running.values());
  }

  /** Waits on the engine's clock; `wake` and `stop` end every wait at once. */
  private async sleep(ms: number): Promise<void> {
    const sleeper = new AbortController();
    this.sleepers.add(sleeper);
    try {
      await this.ctx.clock.sleep(ms, sleeper.signal);
    } finally {
      this.sleepers.delete(sleeper);
    }
  }

  private async run(clusterId: string): Promise<void> {
    let failures = 0;
    let run: unknown;
    while (!this.stopped) {
      if (this.ownership.holds && !this.ownership.holds(clusterId)) {
        this.ctx.log.warn({ clusterId }, 'no longer owns the job; leaving it to the new owner');
        this.pipeline.release(run);
        return;
      }
      try {
        run = await this.pipeline.step(clusterId, run);
        if (!run) return;
        // Let requests in between batches: reads keep working while the job runs (R2).
        if (this.settings.batchPauseMs > 0) await this.sleep(this.settings.batchPauseMs);
        else await new Promise((resolve) => setImmediate(resolve));
        if (failures > 0) {
          failures = 0;
          run = undefined;
          await this.recovered(clusterId);
        }
      } catch (err) {
        run = undefined;
        failures += 1;
        await this.retryLater(clusterId, err, failures);
      }
    }
    this.pipeline.release(run);
  }

  /** The job moves again after failures: it says so, and its status follows. */
  private async recovered(clusterId: string): Promise<void> {
    await updateDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId), (j) => {
      const { message: _cleared, ...rest } = j;
      return { ...rest, state: 'running' };
    });
    await this.feed.refresh(clusterId);
  }

  private async retryLater(clusterId: string, err: unknown, failures: number): Promise<void> {
    const { kind, problem } = classifyJobFailure(err);
    // Unexpected errors keep their stack in the log (never values: errors carry none).
    this.ctx.log.warn(
      {
        clusterId,
        code: problem.code,
        msg: problem.message,
        failures,
        ...(kind === 'unexpected' && { err }),
      },
      'enablement batch failed; will retry',
    );
    try {
      const job = await updateDoc<JobRecord>(this.ctx.store, StoreKey.job(clusterId), (j) => ({
        ...j,
        state: 'retrying',
        message: problem.message,
      }));
      await this.feed.refresh(clusterId);
      // The activity log says once why the job stopped; Master status follows every retry.
      if (failures === 1)
        await this.activity.record({
          accountId: await this.clusters.accountOf(clusterId, job.accountId),
          actor: job.actor,
          action: 'kms.paused',
          target: { kind: 'cluster', id: clusterId },
          result: 'failure',
          message: `The enablement paused and will retry: ${problem.message}`,
        });
    } catch (storeErr) {
      this.ctx.log.warn({ err: storeErr, clusterId }, 'could not record the job failure');
    }
    await this.sleep(Math.min(this.settings.maxRetryDelayMs, 250 * 2 ** Math.min(failures, 8)));
  }
}
