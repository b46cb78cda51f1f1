import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/domain/context.ts';
import { KubeError, type KubeSecret } from '../src/kube/client.ts';
import { rewrite } from '../src/master/migration.ts';
import { makeEngine, type TestEngine } from './helpers.ts';
import {
  jobRecord,
  migrationOf,
  pagedServer,
  rootKey,
  runOf,
  storeJob,
} from './migration-fixtures.ts';

const secret = (resourceVersion: string): KubeSecret => ({
  metadata: { namespace: 'team-a', name: 'db', resourceVersion },
  data: { password: 'cw==' },
});

/** An API server that answers each PUT from a script, and GET with the latest version. */
function apiServer(answers: ('ok' | 'conflict' | 'gone')[], latest = secret('9')) {
  const puts: string[] = [];
  return {
    puts,
    client: {
      async replaceSecret(s: KubeSecret) {
        puts.push(s.metadata.resourceVersion);
        const answer = answers.shift() ?? 'ok';
        if (answer === 'conflict') throw new KubeError('CONFLICT', 'changed', 409);
        if (answer === 'gone') throw new KubeError('NOT_FOUND', 'gone', 404);
        return s;
      },
      async getSecret() {
        if (latest.metadata.resourceVersion === 'deleted')
          throw new KubeError('NOT_FOUND', 'gone', 404);
        return latest;
      },
    },
  };
}

describe('the storage migration writes each Secret back unchanged', () => {
  it('reads a Secret that changed meanwhile again and writes the new version back', async () => {
    const api = apiServer(['conflict', 'conflict', 'ok']);
    await rewrite(api.client, secret('5'));
    expect(api.puts).toEqual(['5', '9', '9']);
  });

  it('skips a Secret deleted before its write or before its read again', async () => {
    const gone = apiServer(['gone']);
    await rewrite(gone.client, secret('5'));
    expect(gone.puts).toEqual(['5']);
    const goneOnRead = apiServer(['conflict'], secret('deleted'));
    await rewrite(goneOnRead.client, secret('5'));
    expect(goneOnRead.puts).toEqual(['5']);
  });

  it('fails on any other answer at once: no read again, no skip', async () => {
    const api = apiServer([]);
    api.client.replaceSecret = async (s: KubeSecret) => {
      api.puts.push(s.metadata.resourceVersion);
      throw new KubeError('FORBIDDEN', 'no update on secrets', 403);
    };
    await expect(rewrite(api.client, secret('5'))).rejects.toThrow('no update on secrets');
    expect(api.puts).toEqual(['5']);
  });

  it('fails when reading a changed Secret again fails for any reason but its deletion', async () => {
    const api = apiServer(['conflict']);
    api.client.getSecret = async () => {
      throw new KubeError('UNREACHABLE', 'connection reset', undefined);
    };
    await expect(rewrite(api.client, secret('5'))).rejects.toThrow('connection reset');
    const plain = apiServer(['conflict']);
    plain.client.getSecret = async () => {
      throw Object.assign(new Error('not a KubeError'), { failure: 'NOT_FOUND' });
    };
    await expect(rewrite(plain.client, secret('5'))).rejects.toThrow('not a KubeError');
  });

  it('gives up after repeated conflicts, so that the job retries the page later', async () => {
    const busy = apiServer(Array(10).fill('conflict'));
    await expect(rewrite(busy.client, secret('5'))).rejects.toThrow(KubeError);
    expect(busy.puts).toHaveLength(6);
  });
});

/**
 * Issue 25: a list continue token that outlived etcd's compaction (410). The job goes on with
 * the token the API server offers, and without one relists from the start but never rewrites,
 * counts or moves its checkpoint back over what it did.
 */
describe('the storage migration after an expired continue token', () => {
  const names = Array.from({ length: 10 }, (_, i) => `s${i}`);

  let seq = 0;
  async function jobAt(t: TestEngine, checkpoint: string, continueToken: string, done: number) {
    const key = await rootKey(t, 'cluster-root-key-1');
    const job = jobRecord(`kc-migration-test-${++seq}`, key.value, {
      checkpoint: `team-a/${checkpoint}`,
      continueToken,
      takenAt: new Date().toISOString(),
      done,
      total: names.length,
    });
    return { clusterId: job.clusterId, key, doc: await storeJob(t, job) };
  }

  const migration = (t: TestEngine) => migrationOf(t, systemClock, { migrationPageSize: 3 });
  /** The job's relist entries in the cluster's activity, newest first. */
  const relists = async (clusterId: string) =>
    (await t.engine.activity.list('cluster', clusterId))
      .filter((e) => e.action === 'kms.migration-relist')
      .map(({ actor, target, result, message }) => ({ actor, target, result, message }));

  let t: TestEngine;
  beforeAll(async () => {
    t = await makeEngine({ secrets: 0 });
  });
  afterAll(() => t.close());

  it('goes on from the token the 410 offers: the next page only', async () => {
    const api = pagedServer(names, { offer: true });
    const { clusterId, key, doc } = await jobAt(t, 's2', 'stale:3', 3);
    const next = await migration(t).step(clusterId, runOf(doc, key, api.client));
    expect(api.written).toEqual(['s3', 's4', 's5']);
    expect(next?.job.value).toMatchObject({
      checkpoint: 'team-a/s5',
      done: 6,
      continueToken: 'at:6',
      total: 10,
    });
    expect(await relists(clusterId)).toEqual([
      {
        actor: 'admin',
        target: { kind: 'cluster', id: clusterId },
        result: 'success',
        message:
          "The list's continue token expired (etcd compacted its history): going on from the same place with the API server's new token.",
      },
    ]);
  });

  it('relists only after a 410: any other failure of the list ends the step, recording nothing', async () => {
    const failures = [
      new KubeError('FORBIDDEN', 'cannot list secrets', 403),
      Object.assign(new Error('not from the API server'), { failure: 'EXPIRED' }),
    ];
    for (const failure of failures) {
      const api = pagedServer(names);
      api.client.listSecrets = async () => {
        throw failure;
      };
      const { clusterId, key, doc } = await jobAt(t, 's2', 'at:3', 3);
      await expect(migration(t).step(clusterId, runOf(doc, key, api.client))).rejects.toBe(failure);
      expect(await relists(clusterId)).toEqual([]);
    }
  });

  it('relists from the start without one, skipping (not counting) what the checkpoint covers', async () => {
    const api = pagedServer(names);
    const { clusterId, key, doc } = await jobAt(t, 's5', 'stale:6', 6);
    const m = migration(t);
    let current = await m.step(clusterId, runOf(doc, key, api.client));
    expect(current?.job.value).toMatchObject({ checkpoint: 'team-a/s5', done: 6 });
    current = await m.step(clusterId, current);
    expect(current?.job.value).toMatchObject({ checkpoint: 'team-a/s5', done: 6 });
    current = await m.step(clusterId, current);
    expect(api.written).toEqual(['s6', 's7', 's8']);
    expect(current?.job.value).toMatchObject({
      checkpoint: 'team-a/s8',
      done: 9,
      continueToken: 'at:9',
      total: 10,
    });
    expect((await relists(clusterId))[0]?.message).toBe(
      "The list's continue token expired (etcd compacted its history): listing again, skipping what was done.",
    );
  });
});

describe('the storage migration lists the next page while it writes this one back', () => {
  const names = Array.from({ length: 7 }, (_, i) => `s${i}`);
  let t: TestEngine;
  let seq = 0;
  beforeAll(async () => {
    t = await makeEngine({ secrets: 0 });
  });
  afterAll(() => t.close());

  /** A taken job at the start, and an API server that logs each list and write in order. */
  async function start() {
    const key = await rootKey(t, 'cluster-root-key-1');
    const job = jobRecord(`kc-ahead-test-${++seq}`, key.value, {
      takenAt: new Date().toISOString(),
      total: names.length,
    });
    const api = pagedServer(names);
    const events: string[] = [];
    const list = api.client.listSecrets.bind(api.client);
    const put = api.client.replaceSecret.bind(api.client);
    api.client.listSecrets = async (limit, token) => {
      events.push(`list ${token ?? 'start'}`);
      return list(limit, token);
    };
    api.client.replaceSecret = async (s) => {
      await new Promise((r) => setTimeout(r, 5));
      events.push(`put ${s.metadata.name}`);
      return put(s);
    };
    const run = runOf(await storeJob(t, job), key, api.client);
    return { clusterId: job.clusterId, api, events, run };
  }
  const migration = () => migrationOf(t, systemClock, { migrationPageSize: 3 });

  it('asks for the next page before this one is written, and lists each page once', async () => {
    const { clusterId, api, events, run } = await start();
    const m = migration();
    let current = await m.step(clusterId, run);
    expect(events.indexOf('list at:3')).toBeGreaterThan(events.indexOf('list start'));
    expect(events.indexOf('list at:3')).toBeLessThan(events.indexOf('put s0'));
    current = await m.step(clusterId, current);
    // The last page was listed ahead too, and is the one the next step takes.
    expect(events.filter((e) => e.startsWith('list'))).toEqual([
      'list start',
      'list at:3',
      'list at:6',
    ]);
    expect(api.written).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    expect(current?.following?.continueToken).toBe('at:6');
    expect(current?.job.value).toMatchObject({ done: 6, continueToken: 'at:6' });
  });

  it('lists a page again when the list ahead failed, or was for another place', async () => {
    const { clusterId, api, events, run } = await start();
    const m = migration();
    const list = api.client.listSecrets;
    let failed = false;
    api.client.listSecrets = async (limit, token) => {
      if (token === 'at:3' && !failed) {
        failed = true;
        events.push('list at:3 failed');
        throw new Error('connection reset');
      }
      return list(limit, token);
    };
    const second = await m.step(clusterId, run);
    expect(second?.following?.continueToken).toBe('at:3');
    await m.step(clusterId, second);
    expect(events.filter((e) => e.startsWith('list at:3'))).toEqual([
      'list at:3 failed',
      'list at:3',
    ]);
    expect(api.written).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);

    const other = await start();
    const elsewhere = {
      ...other.run,
      following: { continueToken: 'at:6', page: other.api.client.listSecrets(3, 'at:6') },
    };
    await m.step(other.clusterId, elsewhere);
    expect(other.api.written).toEqual(['s0', 's1', 's2']);
  });
});
