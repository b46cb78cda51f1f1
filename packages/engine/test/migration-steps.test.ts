import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDoc, json, type Doc } from '../src/domain/context.ts';
import { StoreKey, type JobRecord, type PluginReportRecord } from '../src/domain/records.ts';
import { defaultControllerSettings } from '../src/master/settings.ts';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';
import { clusterRecordOf } from './records.ts';
import {
  fakeClock,
  jobRecord,
  migrationOf,
  pagedServer,
  rootKey,
  runOf,
  storeJob,
  takenKeyId,
} from './migration-fixtures.ts';

/**
 * Issue 27: the storage migration's steps on a fake clock, in milliseconds. Before it lists
 * anything, the job waits until every plug-in of the cluster reported the job's key version.
 */
describe('the storage migration waits for the API servers to take the key', () => {
  let t: TestEngine;
  let seq = 0;
  beforeAll(async () => {
    t = await makeEngine({ secrets: 0 });
  });
  afterAll(() => t.close());

  /** A fresh cluster id with a waiting job (no takenAt) started `waitedMs` ago on `clock`. */
  async function waitingJob(now: Date, waitedMs: number, reports: Partial<PluginReportRecord>[]) {
    const clusterId = `kc-wait-${++seq}`;
    const key = await rootKey(t, 'cluster-root-key-1');
    const job = jobRecord(clusterId, key.value, {
      checkpoint: 'team-a/old',
      continueToken: 'at:3',
      message: 'waiting for apiserver-1',
      startedAt: new Date(now.getTime() - waitedMs).toISOString(),
    });
    for (const [i, r] of reports.entries()) {
      const report: PluginReportRecord = {
        resource: `apiserver-${i + 1}`,
        healthz: 'ok',
        reportedAt: now.toISOString(),
        ...r,
      };
      await t.engine.ctx.store.txn(
        [],
        [
          {
            type: 'put',
            key: StoreKey.pluginReport(clusterId, report.resource),
            value: json(report),
          },
        ],
      );
    }
    return { clusterId, key, doc: await storeJob(t, job) };
  }

  it('polls and prods the API server while no plug-in has reported', async () => {
    const { clock, slept } = fakeClock();
    const { clusterId, key, doc } = await waitingJob(clock.now(), 10_000, []);
    const api = pagedServer(['s0']);
    const next = await migrationOf(t, clock).step(clusterId, runOf(doc, key, api.client));
    expect(next?.job).toEqual(doc);
    expect(api.calls.checkKms).toBe(1);
    expect(slept).toEqual([1_000]);
    expect(api.written).toEqual([]);
  });

  it('gives up after the take timeout, saying no plug-in reported, and closes the client', async () => {
    const { clock } = fakeClock();
    const { clusterId, key, doc } = await waitingJob(clock.now(), 120_001, []);
    const api = pagedServer(['s0']);
    const err = await engineRefusal(
      migrationOf(t, clock).step(clusterId, runOf(doc, key, api.client)),
    );
    expect(err).toMatchObject({ status: 503, code: 'KEY_NOT_TAKEN', retryAfter: 5 });
    expect(err.message).toContain('no Keyhaven KMS plug-in of this cluster has reported');
    expect(api.calls.closed).toBe(1);
  });

  it('waits still when exactly the take timeout has passed', async () => {
    const { clock, slept } = fakeClock();
    const { takeTimeoutMs } = defaultControllerSettings;
    const { clusterId, key, doc } = await waitingJob(clock.now(), takeTimeoutMs - 1_000, []);
    const api = pagedServer(['s0']);
    // The prod of the API server takes no time on this clock, so waited is exactly the timeout.
    api.client.checkKms = async () => {
      await clock.sleep(1_000);
      return { ok: false, text: '' };
    };
    const next = await migrationOf(t, clock).step(clusterId, runOf(doc, key, api.client));
    expect(next?.job).toEqual(doc);
    expect(slept).toEqual([1_000, 1_000]);
    expect(api.calls.closed).toBe(0);
  });

  it('names each plug-in still behind: on the previous key, unhealthy, or silent', async () => {
    const { clock } = fakeClock();
    const now = clock.now();
    const key = await rootKey(t, 'cluster-root-key-1');
    const taken = takenKeyId(jobRecord('x', key.value));
    const { clusterId, doc } = await waitingJob(now, 120_001, [
      { keyId: taken },
      { keyId: 'keyhaven:v1:kp-us-south:other:v0:r1' },
      { healthz: 'kms: root key disabled' },
      { reportedAt: new Date(now.getTime() - 11 * 60_000).toISOString() },
    ]);
    const err = await engineRefusal(
      migrationOf(t, clock).step(clusterId, runOf(doc, key, pagedServer([]).client)),
    );
    expect(err.message).toBe(
      `The API server has not taken root key cluster-root-key-1 yet: waiting for apiserver-2 (still on the previous key), apiserver-3 (kms: root key disabled), apiserver-4 (silent since ${new Date(now.getTime() - 11 * 60_000).toISOString()}: if its API server is gone, an Administrator removes it under Connection)`,
    );
  });

  it('waits while one plug-in of two took the key, before the timeout', async () => {
    const { clock, slept } = fakeClock();
    const key = await rootKey(t, 'cluster-root-key-1');
    const taken = takenKeyId(jobRecord('x', key.value));
    const { clusterId, doc } = await waitingJob(clock.now(), 60_000, [{ keyId: taken }, {}]);
    const next = await migrationOf(t, clock).step(
      clusterId,
      runOf(doc, key, pagedServer(['s0']).client),
    );
    expect(next?.job.value.takenAt).toBeUndefined();
    expect(slept).toEqual([1_000]);
  });

  it('starts once every plug-in took it: a margin, the count, a clean checkpoint, committed', async () => {
    const { clock, slept } = fakeClock();
    const key = await rootKey(t, 'cluster-root-key-1');
    const taken = takenKeyId(jobRecord('x', key.value));
    const { clusterId, doc } = await waitingJob(clock.now(), 5_000, [
      { keyId: taken },
      { keyId: takenKeyId(jobRecord('x', key.value), 'r2') },
    ]);
    const api = pagedServer(['s0', 's1', 's2', 's3']);
    const next = await migrationOf(t, clock).step(clusterId, runOf(doc, key, api.client));
    expect(slept).toEqual([1_000]);
    expect(api.calls.checkKms).toBe(0);
    const expected: Partial<JobRecord> = {
      state: 'running',
      takenAt: clock.now().toISOString(),
      total: 4,
      done: 0,
      checkpoint: null,
    };
    expect(next?.job.value).toMatchObject(expected);
    expect(next?.job.value).not.toHaveProperty('continueToken');
    expect(next?.job.value).not.toHaveProperty('message');
    const saved = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(clusterId));
    expect(saved).toEqual(next?.job);
    expect(api.written).toEqual([]);
  });

  it('refuses to commit over a job that changed meanwhile', async () => {
    const { clock } = fakeClock();
    const key = await rootKey(t, 'cluster-root-key-1');
    const taken = takenKeyId(jobRecord('x', key.value));
    const { clusterId, doc } = await waitingJob(clock.now(), 5_000, [{ keyId: taken }]);
    const changed: Doc<JobRecord> = { ...doc, modRevision: doc.modRevision - 1 };
    const err = await engineRefusal(
      migrationOf(t, clock).step(clusterId, runOf(changed, key, pagedServer([]).client)),
    );
    expect(err).toMatchObject({
      code: 'CONCURRENT_CHANGE',
      message: 'the job changed while a page ran',
    });
  });
});

describe('the storage migration pages through Secrets', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await makeEngine({ secrets: 0 });
  });
  afterAll(() => t.close());

  async function runningJob(clusterId: string, over: Partial<JobRecord> = {}) {
    const key = await rootKey(t, 'cluster-root-key-1');
    const job = jobRecord(clusterId, key.value, { takenAt: new Date().toISOString(), ...over });
    return { key, doc: await storeJob(t, job) };
  }

  /** A connected cluster (without etcd access) whose KMS is on the given key version. */
  async function putCluster(clusterId: string, crkId: string, keyVersion: string) {
    const cluster = clusterRecordOf({
      id: clusterId,
      name: 'real-last',
      kms: {
        instanceId: 'kp-us-south',
        accountId: 'acct-demo',
        crkId,
        keyVersion,
        privateEndpoint: true,
      },
    });
    await t.engine.ctx.store.txn(
      [],
      [{ type: 'put', key: StoreKey.cluster(clusterId), value: json(cluster) }],
    );
  }

  /** Stores what the cluster's plug-ins last reported, `ageMs` before the clock's now. */
  async function reportsOf(
    clusterId: string,
    now: Date,
    reports: { resource: string; ageMs?: number; healthz?: string }[],
  ) {
    await t.engine.ctx.store.txn(
      [],
      reports.map((r) => ({
        type: 'put' as const,
        key: StoreKey.pluginReport(clusterId, r.resource),
        value: json({
          resource: r.resource,
          healthz: r.healthz ?? 'ok',
          reportedAt: new Date(now.getTime() - (r.ageMs ?? 0)).toISOString(),
        } satisfies PluginReportRecord),
      })),
    );
  }

  it('pauses, writing nothing, while an API server’s plug-in is silent or unhealthy', async () => {
    const { clock } = fakeClock();
    const now = clock.now();
    const silentMs = defaultControllerSettings.pluginSilentMs;
    const m = migrationOf(t, clock, { migrationPageSize: 2 });
    const { key, doc } = await runningJob('kc-two-servers');
    const api = pagedServer(['s0', 's1', 's2']);
    await reportsOf('kc-two-servers', now, [
      { resource: 'apiserver-1', ageMs: 1000 },
      { resource: 'apiserver-2', ageMs: silentMs + 1 },
    ]);
    const silent = await engineRefusal(m.step('kc-two-servers', runOf(doc, key, api.client)));
    expect(silent).toMatchObject({ status: 503, code: 'API_SERVER_MISSING' });
    expect(silent.message).toMatch(
      /^Re-encryption under root key cluster-root-key-1 waits for every API server of the cluster: KMS plug-in apiserver-2 has not reported since 2026-11-30T23:57:29\.999Z \(is its API server or plug-in down\?\)\. It goes on when/,
    );
    expect(api.written).toEqual([]);

    await reportsOf('kc-two-servers', now, [
      { resource: 'apiserver-2', ageMs: 0, healthz: 'cannot reach the Keyhaven engine' },
    ]);
    const unhealthy = await engineRefusal(m.step('kc-two-servers', runOf(doc, key, api.client)));
    expect(unhealthy.message).toContain(
      'KMS plug-in apiserver-2 reports cannot reach the Keyhaven engine.',
    );
    expect(unhealthy.message).not.toContain('apiserver-1');

    // Back, and exactly as old as allowed: the migration goes on.
    await reportsOf('kc-two-servers', now, [{ resource: 'apiserver-2', ageMs: silentMs }]);
    await m.step('kc-two-servers', runOf(doc, key, api.client));
    expect(api.written).toEqual(['s0', 's1']);
  });

  it('paces writes to the rate limit on its clock', async () => {
    const { clock, slept } = fakeClock();
    const { key, doc } = await runningJob('kc-paced');
    const api = pagedServer(['s0', 's1', 's2', 's3', 's4']);
    const m = migrationOf(t, clock, {
      migrationRate: 4,
      migrationConcurrency: 1,
      migrationPageSize: 3,
    });
    const next = await m.step('kc-paced', runOf(doc, key, api.client));
    expect(api.written).toEqual(['s0', 's1', 's2']);
    expect(slept).toEqual([250, 250]);
    expect(api.calls.closed).toBe(0);
    expect(next?.job.value).toMatchObject({
      state: 'running',
      checkpoint: 'team-a/s2',
      done: 3,
      total: 5,
      continueToken: 'at:3',
    });
  });

  it('writes at most migrationConcurrency Secrets at once', async () => {
    const { clock } = fakeClock();
    const { key, doc } = await runningJob('kc-concurrent');
    const api = pagedServer(['s0', 's1', 's2', 's3', 's4', 's5']);
    let inFlight = 0;
    let most = 0;
    const replace = api.client.replaceSecret;
    api.client.replaceSecret = async (s) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      return replace(s);
    };
    const m = migrationOf(t, clock, { migrationConcurrency: 2, migrationPageSize: 5 });
    await m.step('kc-concurrent', runOf(doc, key, api.client));
    expect(api.written.sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(most).toBe(2);
  });

  it('counts a Secret deleted since the list as done and goes on', async () => {
    const { clock, slept } = fakeClock();
    const { key, doc } = await runningJob('kc-deleted');
    const api = pagedServer(['s0', 's1', 's2', 's3'], { gone: ['s1'] });
    const next = await migrationOf(t, clock, { migrationPageSize: 3 }).step(
      'kc-deleted',
      runOf(doc, key, api.client),
    );
    expect(api.written).toEqual(['s0', 's2']);
    expect(slept).toEqual([]);
    expect(next?.job.value).toMatchObject({ checkpoint: 'team-a/s2', done: 3 });
  });

  it('leaves the job where it was when a write fails, so the runner retries the page', async () => {
    const { clock } = fakeClock();
    const { key, doc } = await runningJob('kc-failing', { checkpoint: 'team-a/s0', done: 1 });
    const api = pagedServer(['s0', 's1', 's2']);
    api.client.replaceSecret = async () => {
      throw new Error('socket hang up');
    };
    await expect(
      migrationOf(t, clock).step('kc-failing', runOf(doc, key, api.client)),
    ).rejects.toThrow('socket hang up');
    expect(api.calls.closed).toBe(1);
    expect(await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job('kc-failing'))).toEqual(doc);
  });

  it('refuses to finish when the root key went away as the last page ran', async () => {
    const { clock } = fakeClock();
    const { key, doc } = await runningJob('kc-keyless', { total: 1 });
    await putCluster('kc-keyless', key.value.id, doc.value.keyVersion);
    const gone = { ...doc, value: { ...doc.value, crkId: 'crk-gone' } };
    const { revision } = await t.engine.ctx.store.txn(
      [],
      [{ type: 'put', key: StoreKey.job('kc-keyless'), value: json(gone.value) }],
    );
    const err = await engineRefusal(
      migrationOf(t, clock).step(
        'kc-keyless',
        runOf({ ...gone, modRevision: revision }, key, pagedServer(['s0']).client),
      ),
    );
    expect(err).toMatchObject({
      code: 'CONCURRENT_CHANGE',
      message: 'the root key went away as the last page ran',
    });
  });

  it('finishes on the last page: Ready but not verified without etcd access, and says so', async () => {
    const { clock } = fakeClock();
    const clusterId = 'kc-last-page';
    const { key, doc } = await runningJob(clusterId, { total: 3 });
    await putCluster(clusterId, key.value.id, doc.value.keyVersion);
    const api = pagedServer(['s0', 's1', 's2']);
    const next = await migrationOf(t, clock).step(clusterId, runOf(doc, key, api.client));
    expect(next).toBeUndefined();
    expect(api.written).toEqual(['s0', 's1', 's2']);
    expect(api.calls.closed).toBe(1);
    const job = await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(clusterId));
    expect(job?.value).toMatchObject({ state: 'succeeded', done: 3, verified: false });
    const cluster = await t.engine.clusters.record(clusterId);
    expect(cluster.value.status).toMatchObject({
      message: 'Ready, not verified: Keyhaven has no etcd access to check the stored bytes.',
      health: 'normal',
    });
    const [ready] = (await t.engine.activity.list('cluster', clusterId)).filter(
      (e) => e.action === 'kms.ready',
    );
    expect(ready?.message).toBe(
      'Migrated 3 secrets through the API server under root key cluster-root-key-1; the master is Ready. Not verified: without etcd access Keyhaven cannot read the stored bytes.',
    );
  });
});
