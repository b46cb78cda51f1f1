import { count } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import type { Clusters } from '../domain/clusters.ts';
import { json, type Doc, type EngineContext } from '../domain/context.ts';
import { conflict } from '../domain/errors.ts';
import type { Keys } from '../domain/keys.ts';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../domain/records.ts';
import type { Seeds } from '../domain/seeds.ts';
import { asBuffer, type SealingSeed } from '../crypto/envelope.ts';
import { ResealPool, type ResealItem } from '../crypto/reseal-pool.ts';
import type { Op, RangeResult } from '../store/types.ts';
import { activeJob, advance, batchCompares, finishJob } from './checkpoint.ts';

/** Room left in each job transaction for the job, cluster and root-key records. */
export const RECORD_ROOM = 64 * 1024;

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
export interface JobRun {
  job: Doc<JobRecord>;
  key: Doc<RootKeyRecord>;
  seed: SealingSeed;
  prepared?: Prepared;
  following?: Promise<RangeResult>;
}

/**
 * The re-encryption pipeline of one job: reads a page of a cluster's secrets after the
 * checkpoint, seals each under the job's root-key version on worker threads, and commits the batch
 * with the advanced checkpoint in one transaction.
 */
export class Reencryption {
  private readonly resealPool = new ResealPool();

  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly keys: Keys,
    private readonly seeds: Seeds,
    private readonly activity: Activity,
    private readonly batchSize: number,
    /** Ends a job that can no longer apply (its root key was deleted). */
    private readonly abandon: (clusterId: string, message: string) => Promise<void>,
  ) {}

  /** Starts the worker threads now rather than on the first job (a long-running engine). */
  warmUp(): Promise<void> {
    return this.resealPool.warm();
  }

  close(): Promise<void> {
    return this.resealPool.close();
  }

  /** Loads what every batch of a job needs; undefined when the job has ended or no longer applies. */
  private async load(clusterId: string): Promise<JobRun | undefined> {
    const active = await activeJob(this.ctx, this.clusters, clusterId, this.abandon);
    if (!active) return undefined;
    const { job, key } = active;
    const instance = await this.keys.instance(job.value.instanceId);
    const seed = await this.seeds.sealingSeed(clusterId, key.value, job.value.keyVersion, instance);
    return { job, key, seed };
  }

  private readPage(clusterId: string, after: string | null): Promise<RangeResult> {
    return this.ctx.store.range(StoreKey.secrets(clusterId), {
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
   * The puts of a sealed page that fit one store request (etcd: 1.5 MiB), with room for the
   * records that change with it; one secret alone always fits (Kubernetes caps secrets at 1 MiB).
   */
  private fitBatch(page: RangeResult, values: (Buffer | undefined)[]) {
    const budget = this.ctx.store.maxTxnBytes - RECORD_ROOM;
    const ops: Op[] = [];
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
    return { ops, taken, more: page.more || taken < page.kvs.length };
  }

  /**
   * "Ready" is earned: a job ends only once it passed through as many secrets as the cluster
   * stores. Fewer (one got in behind the checkpoint, or a page was passed over) send it over the
   * cluster again from the start; what its key seals already is skipped, not written again.
   */
  private async passAgain(run: JobRun, job: JobRecord, ops: Op[], stored: number) {
    const missed = stored - job.done;
    const message = `Re-encryption found ${count(missed)} ${missed === 1 ? 'secret' : 'secrets'} it had not passed through (${count(stored)} stored, ${count(job.done)} done): going over the cluster again.`;
    const again: JobRecord = { ...job, checkpoint: null, done: 0, total: stored };
    const cluster = await this.clusters.record(job.clusterId);
    const { succeeded, revision } = await this.ctx.store.txn(batchCompares(run.job, run.key), [
      ...ops,
      { type: 'put', key: StoreKey.job(job.clusterId), value: json(again) },
      ...this.activity.ops({
        accountId: cluster.value.accountId,
        actor: 'system',
        action: 'kms.pass-again',
        target: { kind: 'cluster', id: job.clusterId },
        result: 'success',
        message,
      }),
    ]);
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'the job or its root key changed while a batch ran');
    this.ctx.log.warn({ clusterId: job.clusterId, missed }, message);
    return { key: run.key, seed: run.seed, job: { value: again, modRevision: revision } };
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
  async step(clusterId: string, current: JobRun | undefined): Promise<JobRun | undefined> {
    const run = current ?? (await this.load(clusterId));
    if (!run) return undefined;
    const { job, key, seed } = run;
    const { page, sealed } =
      run.prepared ??
      (await this.prepare(clusterId, await this.readPage(clusterId, job.value.checkpoint), seed));
    const following = run.following ?? this.readAfter(clusterId, page);
    const { ops, taken, more } = this.fitBatch(page, await sealed);
    const nextJob = advance(job.value, page.kvs[taken - 1]?.key, taken);
    if (!more) {
      const stored = await this.ctx.store.count(StoreKey.secrets(clusterId));
      if (nextJob.done < stored) return this.passAgain(run, nextJob, ops, stored);
      await finishJob(
        { ctx: this.ctx, clusters: this.clusters, activity: this.activity },
        run,
        nextJob,
        ops,
        `Re-encrypted ${count(nextJob.total)} secrets under root key ${run.key.value.name}; the master is Ready.`,
      );
      return undefined;
    }
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
    const { succeeded, revision } = await this.ctx.store.txn(batchCompares(job, key), [
      ...ops,
      { type: 'put', key: StoreKey.job(clusterId), value: json(nextJob) },
    ]);
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'the job or its root key changed while a batch ran');
    return { key, seed, ...ahead, job: { value: nextJob, modRevision: revision } };
  }
}
