import { count } from '@keyhaven/contracts';
import type { Activity } from '../domain/activity.ts';
import type { Clusters } from '../domain/clusters.ts';
import type { ClusterAccess } from '../domain/cluster-access.ts';
import { pluginReportsOf } from '../domain/plugin-reports.ts';
import { getDoc, json, type Doc, type EngineContext } from '../domain/context.ts';
import { EngineError, conflict } from '../domain/errors.ts';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../domain/records.ts';
import { decodeEncryptedObject } from '../crypto/encrypted-object.ts';
import { kmsPrefix, parseKmsPrefix } from '../crypto/envelope.ts';
import { isKubeFailure, type KubeApi, type KubeSecret, type SecretPage } from '../kube/client.ts';
import type { EtcdReader } from '../kube/etcd-reader.ts';
import { activeJob, finishJob } from './checkpoint.ts';
import { jobKeyIdPrefix, notTaken, requireApiServers } from './api-servers.ts';
import type { ControllerSettings } from './settings.ts';

/** What the migration asks of a cluster's API server (a KubeClient, or a fake in unit tests). */
export type MigrationClient = Pick<
  KubeApi,
  'listSecrets' | 'getSecret' | 'replaceSecret' | 'countSecrets' | 'checkKms' | 'close'
>;

/** A connected cluster's job between steps: its record, root key and API-server client. */
export interface MigrationRun {
  kind: 'migration';
  job: Doc<JobRecord>;
  key: Doc<RootKeyRecord>;
  client: MigrationClient;
  /** The next page, listed while this one was written back: for the continue token it names. */
  following?: { continueToken: string; page: Promise<SecretPage> };
}

/** Where the API server keeps Secrets in its etcd (its default --etcd-prefix). */
const SECRETS_PREFIX = '/registry/secrets/';
/** How many Secrets found behind in etcd the last step writes once more before it gives up. */
const VERIFY_REWRITES = 1000;
/** How many times a Secret that changed under the job is read again and written. */
const CONFLICT_RETRIES = 5;
const WAIT_POLL_MS = 1_000;
/** After the last plug-in reported the key, the API server stores its new seed: a margin for it. */
const TAKE_MARGIN_MS = 1_000;

const secretKey = (s: KubeSecret) => `${s.metadata.namespace}/${s.metadata.name}`;

/**
 * The storage migration of a connected cluster (issue 16). The job first waits until every KMS
 * plug-in of the cluster has served an Encrypt under the job's key version (each API server took
 * the key: it asks for a new seed right then), prodding the API server's KMS health check so it
 * notices sooner. Then it lists Secrets in pages and writes each back unchanged: the API server
 * finds the stored value stale (another key_id) and rewrites it under the new key. Conflicts are
 * read again, deleted Secrets skipped, and the checkpoint (last Secret and continue token) is
 * committed after each page, so an engine restart resumes where it stopped.
 */
export class Migration {
  private nextSlot = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly clusters: Clusters,
    private readonly access: ClusterAccess,
    private readonly activity: Activity,
    private readonly settings: ControllerSettings,
    private readonly abandon: (clusterId: string, message: string) => Promise<void>,
  ) {}

  private async load(clusterId: string): Promise<MigrationRun | undefined> {
    const active = await activeJob(this.ctx, this.clusters, clusterId, this.abandon);
    if (!active) return undefined;
    const { job, key } = active;
    const cluster = await this.clusters.record(clusterId);
    return { kind: 'migration', job, key, client: await this.access.client(cluster.value) };
  }

  /** One step: a wait for the API servers, or one page migrated; undefined when done. */
  async step(
    clusterId: string,
    current: MigrationRun | undefined,
  ): Promise<MigrationRun | undefined> {
    const run = current ?? (await this.load(clusterId));
    if (!run) return undefined;
    try {
      const next = run.job.value.takenAt ? await this.page(run) : await this.awaitTaken(run);
      if (!next) run.client.close();
      return next;
    } catch (err) {
      run.client.close();
      throw err;
    }
  }

  private async awaitTaken(run: MigrationRun): Promise<MigrationRun> {
    const job = run.job.value;
    const reports = await pluginReportsOf(this.ctx, job.clusterId);
    const prefix = jobKeyIdPrefix(job);
    if (reports.length > 0 && reports.every((r) => r.keyId?.startsWith(prefix))) {
      await this.ctx.clock.sleep(TAKE_MARGIN_MS);
      const total = await run.client.countSecrets();
      const taken: JobRecord = {
        ...job,
        state: 'running',
        takenAt: this.ctx.clock.now().toISOString(),
        total,
        done: 0,
        checkpoint: null,
      };
      const { continueToken: _dropped, message: _cleared, ...clean } = taken;
      return this.commit(run, clean);
    }
    // The API server looks at its plug-in again when its check's cache (20 s) has passed.
    await run.client.checkKms().catch(() => undefined);
    const waited = this.ctx.clock.now().getTime() - Date.parse(job.startedAt);
    if (waited > this.settings.takeTimeoutMs)
      throw notTaken(job, run.key.value, reports, this.ctx.clock.now());
    await this.ctx.clock.sleep(WAIT_POLL_MS);
    return run;
  }

  private async page(run: MigrationRun): Promise<MigrationRun | undefined> {
    const job = run.job.value;
    await requireApiServers(this.ctx, this.settings.pluginSilentMs, job, run.key.value);
    const page = await this.listAhead(run, job);
    // The next page is listed while this one is written back: the API server lists as it writes.
    const following = page.continue
      ? { continueToken: page.continue, page: this.list(run.client, job, page.continue) }
      : undefined;
    following?.page.catch(() => undefined);
    // Pages come in store-key order, so whatever is at or before the checkpoint was done already
    // (after a relist from the start, every page up to it): never rewritten or counted again.
    const items = page.items.filter(
      (s) => job.checkpoint === null || secretKey(s) > job.checkpoint,
    );
    await this.rewriteAll(run.client, items);
    const last = items.at(-1);
    const fresh = items.length === page.items.length;
    const advanced: JobRecord = {
      ...job,
      state: 'running',
      checkpoint: last ? secretKey(last) : job.checkpoint,
      done: job.done + items.length,
      // A page with skipped items came from a relist: its remaining count includes them.
      total: Math.max(job.total, job.done + items.length + (fresh ? (page.remaining ?? 0) : 0)),
    };
    const { continueToken: _old, ...rest } = advanced;
    const next: JobRecord = page.continue ? { ...rest, continueToken: page.continue } : rest;
    if (page.continue)
      return { ...(await this.commit(run, next)), ...(following && { following }) };
    await this.finish(run, next);
    return undefined;
  }

  /** The page listed ahead for this job's continue token, or else a list now; ahead is used once. */
  private async listAhead(run: MigrationRun, job: JobRecord): Promise<SecretPage> {
    const ahead = run.following;
    delete run.following;
    if (ahead && ahead.continueToken === job.continueToken)
      return ahead.page.catch(() => this.list(run.client, job));
    return this.list(run.client, job);
  }

  /**
   * One page. A continue token that outlived etcd's compaction (410) goes on with the token the
   * API server offers in its answer, from the same place; only without one does the list start
   * over (and the checkpoint skips what was done).
   */
  private async list(client: MigrationClient, job: JobRecord, continueToken = job.continueToken) {
    const size = this.settings.migrationPageSize;
    try {
      return await client.listSecrets(size, continueToken);
    } catch (err) {
      if (!isKubeFailure(err, 'EXPIRED')) throw err;
      await this.activity.record({
        accountId: await this.clusters.accountOf(job.clusterId, job.accountId),
        actor: job.actor,
        action: 'kms.migration-relist',
        target: { kind: 'cluster', id: job.clusterId },
        result: 'success',
        message: err.continueToken
          ? "The list's continue token expired (etcd compacted its history): going on from the same place with the API server's new token."
          : "The list's continue token expired (etcd compacted its history): listing again, skipping what was done.",
      });
      return client.listSecrets(size, err.continueToken);
    }
  }

  /**
   * Commits the checkpoint against the job's revision only: the root key's record changes as the
   * plug-ins register with it, and the API server, not this job, refuses writes under a key that
   * cannot be used.
   */
  private async commit(run: MigrationRun, next: JobRecord): Promise<MigrationRun> {
    const { succeeded, revision } = await this.ctx.store.txn(
      [{ key: StoreKey.job(next.clusterId), modRevision: run.job.modRevision }],
      [{ type: 'put', key: StoreKey.job(next.clusterId), value: json(next) }],
    );
    if (!succeeded) throw conflict('CONCURRENT_CHANGE', 'the job changed while a page ran');
    return { ...run, job: { value: next, modRevision: revision } };
  }

  /**
   * The last page: "Ready" is earned, not reported. With etcd access the stored bytes of every
   * Secret must carry the job's key version (those that do not are written once more, then named
   * if they still do not); without it the job finishes as done but unverified.
   */
  private async finish(run: MigrationRun, job: JobRecord): Promise<void> {
    const cluster = await this.clusters.record(job.clusterId);
    const etcd = await this.access.etcd(cluster.value);
    if (etcd) await this.verify(run.client, etcd, job);
    const key = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(job.crkId));
    if (!key) throw conflict('CONCURRENT_CHANGE', 'the root key went away as the last page ran');
    const checked = etcd
      ? 'Verified in etcd: every Secret is stored under the new key version.'
      : 'Not verified: without etcd access Keyhaven cannot read the stored bytes.';
    await finishJob(
      { ctx: this.ctx, clusters: this.clusters, activity: this.activity },
      { job: run.job, key },
      { ...job, verified: etcd !== undefined },
      [],
      `Migrated ${count(job.done)} secrets through the API server under root key ${key.value.name}; the master is Ready. ${checked}`,
    );
  }

  /** Rewrites what etcd does not hold under the job's key version; refuses while any is left. */
  private async verify(client: MigrationClient, etcd: EtcdReader, job: JobRecord) {
    let behind = await staleInEtcd(etcd, jobKeyIdPrefix(job));
    for (const storeKey of behind.slice(0, VERIFY_REWRITES)) {
      const [, , , namespace = '', name = ''] = storeKey.split('/');
      await rewriteCurrent(client, namespace, name);
    }
    if (behind.length > 0) behind = await staleInEtcd(etcd, jobKeyIdPrefix(job));
    if (behind.length === 0) return;
    throw new EngineError(
      503,
      'MIGRATION_UNVERIFIED',
      `${count(behind.length)} Secrets in etcd are not under the new key version yet (${behind
        .slice(0, 5)
        .map((k) => k.replace('/registry/secrets/', ''))
        .join(
          ', ',
        )}${behind.length > 5 ? ', …' : ''}): does every API server use its Keyhaven KMS plug-in?`,
      undefined,
      5,
    );
  }

  /** Writes the page back with a few requests in flight, paced by the rate limit. */
  private async rewriteAll(client: MigrationClient, items: KubeSecret[]): Promise<void> {
    const queue = [...items];
    const worker = async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        await this.paced();
        await rewrite(client, item);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.settings.migrationConcurrency, items.length) }, worker),
    );
  }

  /** Waits for the next slot of the rate limit (writes per second; 0: no limit). */
  private async paced(): Promise<void> {
    const rate = this.settings.migrationRate;
    if (rate <= 0) return;
    const now = this.ctx.clock.now().getTime();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / rate;
    if (slot > now) await this.ctx.clock.sleep(slot - now);
  }
}

/** The store keys of the Secrets whose stored bytes do not carry a key_id with this prefix. */
async function staleInEtcd(etcd: EtcdReader, prefix: string): Promise<string[]> {
  const behind: string[] = [];
  await etcd.scan(SECRETS_PREFIX, (page) => {
    for (const { key, value } of page) if (!storedUnder(value, prefix)) behind.push(key);
  });
  return behind;
}

function storedUnder(value: Buffer, keyIdPrefix: string): boolean {
  const provider = parseKmsPrefix(value);
  if (provider === undefined) return false;
  try {
    return decodeEncryptedObject(value.subarray(kmsPrefix(provider).length)).keyID.startsWith(
      keyIdPrefix,
    );
  } catch {
    return false;
  }
}

/** Reads a Secret now and writes it back (it may have changed since the page listed it). */
async function rewriteCurrent(client: MigrationClient, namespace: string, name: string) {
  try {
    await rewrite(client, await client.getSecret(namespace, name));
  } catch (err) {
    if (!isKubeFailure(err, 'NOT_FOUND')) throw err;
  }
}

/** Writes one Secret back unchanged; a conflict reads it again, a deleted Secret is skipped. */
export async function rewrite(
  client: Pick<MigrationClient, 'replaceSecret' | 'getSecret'>,
  secret: KubeSecret,
): Promise<void> {
  let current = secret;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.replaceSecret(current);
      return;
    } catch (err) {
      if (isKubeFailure(err, 'NOT_FOUND')) return;
      if (!isKubeFailure(err, 'CONFLICT') || attempt >= CONFLICT_RETRIES) throw err;
      try {
        current = await client.getSecret(secret.metadata.namespace, secret.metadata.name);
      } catch (readErr) {
        if (isKubeFailure(readErr, 'NOT_FOUND')) return;
        throw readErr;
      }
    }
  }
}
