import { keyIdPrefix } from '@keyhaven/contracts';
import type { Clock, Doc } from '../src/domain/context.ts';
import { getDoc, json } from '../src/domain/context.ts';
import { StoreKey, type JobRecord, type RootKeyRecord } from '../src/domain/records.ts';
import { KubeError, type KubeSecret } from '../src/kube/client.ts';
import { Migration, type MigrationClient, type MigrationRun } from '../src/master/migration.ts';
import { defaultControllerSettings, type ControllerSettings } from '../src/master/settings.ts';
import type { TestEngine } from './helpers.ts';
import { jobRecordOf } from './records.ts';

export const INSTANCE = 'kp-us-south';

/** A clock that moves only when someone sleeps on it, and records every sleep. */
export function fakeClock(start = Date.parse('2026-12-01T00:00:00Z')) {
  let now = start;
  const slept: number[] = [];
  const clock: Clock = {
    now: () => new Date(now),
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  return { clock, slept, advance: (ms: number) => (now += ms) };
}

/** A job of a connected cluster on a demo root key, typed from the record. */
export const jobRecord = (clusterId: string, key: RootKeyRecord, over: Partial<JobRecord> = {}) =>
  jobRecordOf({
    clusterId,
    instanceId: INSTANCE,
    crkId: key.id,
    keyVersion: key.versions.at(-1)?.id ?? '',
    startedAt: new Date().toISOString(),
    ...over,
  });

/** The key_id a plug-in of this job reports once it took the job's key version. */
export const takenKeyId = (job: JobRecord, registration = 'r1') =>
  `${keyIdPrefix({ instanceId: job.instanceId, keyId: job.crkId, versionId: job.keyVersion })}${registration}`;

/** A demo root key's record, by name. */
export async function rootKey(t: TestEngine, name: string): Promise<Doc<RootKeyRecord>> {
  const doc = await getDoc<RootKeyRecord>(t.engine.ctx.store, StoreKey.key(t.keys.get(name) ?? ''));
  if (!doc) throw new Error(`no demo root key ${name}`);
  return doc;
}

/** Writes the job into the engine's store, as the controller would have. */
export async function storeJob(t: TestEngine, job: JobRecord): Promise<Doc<JobRecord>> {
  const { revision } = await t.engine.ctx.store.txn(
    [],
    [{ type: 'put', key: StoreKey.job(job.clusterId), value: json(job) }],
  );
  return { value: job, modRevision: revision };
}

export const runOf = (
  job: Doc<JobRecord>,
  key: Doc<RootKeyRecord>,
  client: MigrationClient,
): MigrationRun => ({ kind: 'migration', job, key, client });

/** The engine's Migration on its own store, with a clock and settings of the test's choice. */
export function migrationOf(
  t: TestEngine,
  clock: Clock,
  settings: Partial<ControllerSettings> = {},
): Migration {
  const { engine } = t;
  return new Migration(
    { ...engine.ctx, clock },
    engine.clusters,
    engine.clusterAccess,
    engine.activity,
    { ...defaultControllerSettings, migrationRate: 0, ...settings },
    async () => undefined,
  );
}

export const stored = (name: string, resourceVersion = '1'): KubeSecret => ({
  metadata: { namespace: 'team-a', name, resourceVersion },
});

/**
 * An API server holding the named Secrets in pages by offset ("at:N"); a token "stale:N" is
 * refused (410), offering "at:N" when `offer` says so. `gone` names Secrets deleted since listed.
 */
export function pagedServer(names: string[], options: { offer?: boolean; gone?: string[] } = {}) {
  const written: string[] = [];
  const calls = { checkKms: 0, closed: 0 };
  const client: MigrationClient = {
    async listSecrets(limit: number, token?: string) {
      if (token?.startsWith('stale:'))
        throw new KubeError(
          'EXPIRED',
          'expired',
          410,
          options.offer ? `at:${token.slice(6)}` : undefined,
        );
      const from = token ? Number(token.slice(3)) : 0;
      const items = names.slice(from, from + limit).map((n) => stored(n));
      const next = from + limit;
      return {
        items,
        ...(next < names.length && { continue: `at:${next}`, remaining: names.length - next }),
      };
    },
    async replaceSecret(s: KubeSecret) {
      if (options.gone?.includes(s.metadata.name)) throw new KubeError('NOT_FOUND', 'gone', 404);
      written.push(s.metadata.name);
      return s;
    },
    async getSecret() {
      throw new KubeError('NOT_FOUND', 'gone', 404);
    },
    async countSecrets() {
      return names.length;
    },
    async checkKms() {
      calls.checkKms++;
      return { ok: false, text: '[-]kms-providers failed' };
    },
    close() {
      calls.closed++;
    },
  };
  return { client, written, calls };
}
