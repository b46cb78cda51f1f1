import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { Cluster, KeyCollection } from '@keyhaven/contracts';
import {
  createEngine,
  K,
  loadOrCreateKek,
  SoftwareKeyAdapter,
  SqliteStore,
} from '@keyhaven/engine';
import { freePort, spawnEngine, tokenFor } from './process.ts';

const dir = mkdtempSync(join(tmpdir(), 'kh-crash-'));
const PASSWORD = 'crash-test-password';
const env = {
  KEYHAVEN_DATA_DIR: dir,
  KEYHAVEN_DEMO_PASSWORD: PASSWORD,
  KEYHAVEN_DEMO_SECRETS: '20000',
  KEYHAVEN_JOB_BATCH_SIZE: '100',
};
const CLUSTER = 'c-prod-us-south';

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('finishes an enablement of 20,000 secrets after the engine is SIGKILLed mid-way, losing nothing', async () => {
  const port = await freePort();
  const first = await spawnEngine(env, port);
  const token = await tokenFor(first.url, 'admin', PASSWORD);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const keys = KeyCollection.parse(
    await (
      await fetch(`${first.url}/api/v2/keys`, {
        headers: { ...auth, 'bluemix-instance': 'kp-us-south' },
      })
    ).json(),
  );
  const crk = keys.resources.find((k) => k.name === 'cluster-root-key-1');
  const accepted = await fetch(`${first.url}/v2/enableKMS`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ cluster: CLUSTER, instance_id: 'kp-us-south', crk_id: crk?.id }),
  });
  expect(accepted.status).toBe(202);

  // Wait until the job is under way, then kill the process without warning.
  let progress = { done: 0, total: 0 };
  let jobId = '';
  for (;;) {
    const cluster = Cluster.parse(
      await (await fetch(`${first.url}/v2/clusters/${CLUSTER}`, { headers: auth })).json(),
    );
    progress = cluster.enablement?.progress ?? progress;
    jobId = cluster.enablement?.jobId ?? '';
    if (progress.done >= 2000) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  first.child.kill('SIGKILL');
  await first.exited;
  expect(progress.total).toBe(20_000);
  expect(progress.done).toBeLessThan(20_000);

  // Restart on the same data: the job resumes from its checkpoint and finishes.
  const second = await spawnEngine(env, port);
  const token2 = await tokenFor(second.url, 'admin', PASSWORD);
  let cluster;
  for (;;) {
    cluster = Cluster.parse(
      await (
        await fetch(`${second.url}/v2/clusters/${CLUSTER}`, {
          headers: { authorization: `Bearer ${token2}` },
        })
      ).json(),
    );
    if (cluster.masterStatus === 'Ready') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(cluster.enablement).toMatchObject({
    jobId,
    state: 'succeeded',
    progress: { done: 20_000, total: 20_000 },
  });
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);

  // Every secret is there, encrypted under the new key, and opens to its original value.
  const store = new SqliteStore(join(dir, 'keyhaven.sqlite'));
  const engine = createEngine({
    store,
    keyAdapter: new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin'))),
    logger: pino({ level: 'silent' }),
  });
  try {
    const prefix = K.secrets(CLUSTER);
    let after: string | undefined;
    let count = 0;
    const resolver = engine.seeds.resolver(CLUSTER);
    for (;;) {
      const page = await store.range(prefix, {
        limit: 1000,
        ...(after !== undefined && { after }),
      });
      for (const kv of page.kvs) {
        expect(kv.value.subarray(0, 27).toString()).toBe('k8s:enc:kms:v2:key-protect:');
        const object = JSON.parse(
          (await engine.ctx.envelope.open(kv.key, kv.value, resolver)).toString(),
        ) as { metadata: { name: string }; data: { password: string } };
        const index = Number(object.metadata.name.slice('app-secret-'.length));
        expect(Buffer.from(object.data.password, 'base64').toString()).toBe(
          `demo-value-${CLUSTER}-${index}`,
        );
        count += 1;
      }
      if (!page.more) break;
      after = page.kvs.at(-1)?.key;
    }
    expect(count).toBe(20_000);
  } finally {
    await engine.close();
  }
});
