import { KeyState } from '@keyhaven/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDoc, json, type Doc } from '../src/domain/context.ts';
import {
  StoreKey,
  type ClusterRecord,
  type JobRecord,
  type RootKeyRecord,
} from '../src/domain/records.ts';
import { activeJob, advance, batchCompares, finishJob } from '../src/master/checkpoint.ts';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';
import { clusterRecordOf, jobRecordOf, rootKeyRecordOf } from './records.ts';

/** Issue 27: a job's checkpoint and its completion, on the engine's real store. */
let t: TestEngine;
let seq = 0;
beforeAll(async () => {
  t = await makeEngine({ secrets: 0 });
});
afterAll(() => t.close());

const registration = (clusterId: string, keyVersion: string) => ({
  clusterId,
  keyVersion,
  createdAt: '2026-11-01T00:00:00.000Z',
});

async function put<T>(key: string, value: T): Promise<Doc<T>> {
  const { revision } = await t.engine.ctx.store.txn([], [{ type: 'put', key, value: json(value) }]);
  return { value, modRevision: revision };
}

/** A demo-style cluster moving from key `from` to key `to`, both registered, with its job. */
async function scene(over: { job?: Partial<JobRecord>; toState?: RootKeyRecord['state'] } = {}) {
  const n = ++seq;
  const clusterId = `kc-ckpt-${n}`;
  const other = `kc-other-${n}`;
  const from = await put(
    StoreKey.key(`from-${n}`),
    rootKeyRecordOf({
      id: `from-${n}`,
      name: `old-key-${n}`,
      registrations: [registration(clusterId, 'v1'), registration(other, 'v1')],
    }),
  );
  const to = await put(
    StoreKey.key(`to-${n}`),
    rootKeyRecordOf({
      id: `to-${n}`,
      name: `new-key-${n}`,
      state: over.toState ?? KeyState.Active,
      registrations: [registration(clusterId, 'v1'), registration(other, 'v1')],
    }),
  );
  const cluster = await put(
    StoreKey.cluster(clusterId),
    clusterRecordOf({
      id: clusterId,
      kms: {
        instanceId: 'kp-us-south',
        accountId: 'acct-demo',
        crkId: `to-${n}`,
        keyVersion: 'v2',
        privateEndpoint: true,
      },
      status: {
        message: 'KMS feature enablement in progress.',
        health: 'in_progress',
        modifiedDate: '',
      },
      connection: undefined,
    }),
  );
  const job = await put(
    StoreKey.job(clusterId),
    jobRecordOf({
      clusterId,
      crkId: `to-${n}`,
      keyVersion: 'v2',
      fromCrkId: `from-${n}`,
      total: 10,
      done: 8,
      checkpoint: 'secret-8',
      ...over.job,
    }),
  );
  return { clusterId, other, from, to, cluster, job };
}

const deps = () => ({
  ctx: t.engine.ctx,
  clusters: t.engine.clusters,
  activity: t.engine.activity,
});

describe('the job a pipeline loads', () => {
  it('is the active job with its root key', async () => {
    const s = await scene();
    const abandoned: string[] = [];
    const loaded = await activeJob(t.engine.ctx, t.engine.clusters, s.clusterId, async (_, why) => {
      abandoned.push(why);
    });
    expect(loaded).toEqual({ job: s.job, key: s.to });
    expect(abandoned).toEqual([]);
  });

  it('is none when the job ended, or when there is none', async () => {
    const s = await scene({ job: { state: 'succeeded' } });
    const never = async () => {
      throw new Error('nothing to abandon');
    };
    expect(await activeJob(t.engine.ctx, t.engine.clusters, s.clusterId, never)).toBeUndefined();
    expect(await activeJob(t.engine.ctx, t.engine.clusters, 'kc-none', never)).toBeUndefined();
  });

  it('abandons the job whose root key was deleted, naming the key', async () => {
    const s = await scene({ toState: KeyState.Destroyed });
    const abandoned: [string, string][] = [];
    const loaded = await activeJob(
      t.engine.ctx,
      t.engine.clusters,
      s.clusterId,
      async (id, why) => {
        abandoned.push([id, why]);
      },
    );
    expect(loaded).toBeUndefined();
    expect(abandoned).toEqual([[s.clusterId, `Root key ${s.to.value.name} was deleted.`]]);
    const gone = await scene();
    await t.engine.ctx.store.txn([], [{ type: 'delete', key: StoreKey.key(gone.to.value.id) }]);
    const why: string[] = [];
    await activeJob(t.engine.ctx, t.engine.clusters, gone.clusterId, async (_, w) => {
      why.push(w);
    });
    expect(why).toEqual([`Root key ${gone.to.value.id} was deleted.`]);
  });
});

describe('the checkpoint', () => {
  it('moves to the batch’s last key, counts what it took, and never past the total', () => {
    const job = jobRecordOf({ state: 'retrying', checkpoint: 'a', done: 3, total: 10 });
    expect(advance(job, 'f', 4)).toEqual({ ...job, state: 'running', checkpoint: 'f', done: 7 });
    expect(advance(job, undefined, 0)).toMatchObject({ checkpoint: 'a', done: 3 });
    expect(advance(job, 'z', 50).done).toBe(10);
  });

  it('makes a batch fail when the job or its root key changed', async () => {
    const s = await scene();
    expect(batchCompares(s.job, s.to)).toEqual([
      { key: StoreKey.job(s.clusterId), modRevision: s.job.modRevision },
      { key: StoreKey.key(s.to.value.id), modRevision: s.to.modRevision },
    ]);
  });
});

describe('finishing a job', () => {
  it('writes the job, the status, both keys’ registrations and the activity together', async () => {
    const s = await scene();
    const last = { type: 'put' as const, key: `/test/last-${s.clusterId}`, value: json('x') };
    await finishJob(deps(), { job: s.job, key: s.to }, s.job.value, [last], 'Re-encrypted.');
    const now = t.engine.ctx.clock.now().getTime();
    const job = (await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(s.clusterId)))?.value;
    expect(job).toMatchObject({ state: 'succeeded', done: 10, checkpoint: 'secret-8' });
    expect(Math.abs(Date.parse(job?.finishedAt ?? '') - now)).toBeLessThan(5_000);
    const cluster = await getDoc<ClusterRecord>(t.engine.ctx.store, StoreKey.cluster(s.clusterId));
    expect(cluster?.value.status).toMatchObject({ message: 'Ready', health: 'normal' });
    expect(cluster?.value.status.modifiedDate).toBe(job?.finishedAt);
    const to = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(s.to.value.id));
    expect(to?.value.registrations.map((r) => [r.clusterId, r.keyVersion])).toEqual([
      [s.clusterId, 'v2'],
      [s.other, 'v1'],
    ]);
    const from = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(s.from.value.id));
    expect(from?.value.registrations.map((r) => r.clusterId)).toEqual([s.other]);
    expect(await t.engine.ctx.store.get(last.key)).toBeDefined();
    const [entry] = await t.engine.activity.list('cluster', s.clusterId);
    expect(entry).toMatchObject({ action: 'kms.ready', actor: 'admin', message: 'Re-encrypted.' });
  });

  it('leaves the key alone when the job stays on it (a rotation)', async () => {
    const s = await scene();
    const rotation = { ...s.job.value, fromCrkId: s.to.value.id };
    await finishJob(deps(), { job: s.job, key: s.to }, rotation, [], 'Rotated.');
    const to = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(s.to.value.id));
    expect(to?.value.registrations.map((r) => r.clusterId)).toEqual([s.clusterId, s.other]);
    const from = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(s.from.value.id));
    expect(from).toEqual(s.from);
  });

  it('writes nothing when the job changed meanwhile', async () => {
    const s = await scene();
    const stale = { ...s.job, modRevision: s.job.modRevision - 1 };
    const last = { type: 'put' as const, key: `/test/last-${s.clusterId}`, value: json('x') };
    const err = await engineRefusal(
      finishJob(deps(), { job: stale, key: s.to }, s.job.value, [last], 'Re-encrypted.'),
    );
    expect(err.code).toBe('CONCURRENT_CHANGE');
    expect(await t.engine.ctx.store.get(last.key)).toBeUndefined();
    expect(await getDoc<JobRecord>(t.engine.ctx.store, StoreKey.job(s.clusterId))).toEqual(s.job);
    expect(await t.engine.activity.list('cluster', s.clusterId)).toEqual([]);
  });
});
