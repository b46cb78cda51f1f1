import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadOrCreateKek, SoftwareKeyAdapter, SqliteStore } from '@keyhaven/engine';
import { startEnablement, expectEverySecretOpens, waitForCluster } from './job.ts';
import { freePort, spawnEngine, tokenFor } from './process.ts';

const dir = mkdtempSync(join(tmpdir(), 'kh-crash-'));
const PASSWORD = 'crash-test-password';
const env = {
  KEYHAVEN_DATA_DIR: dir,
  KEYHAVEN_DEMO_PASSWORD: PASSWORD,
  KEYHAVEN_DEMO_SECRETS: '20000',
  KEYHAVEN_JOB_BATCH_SIZE: '100',
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('finishes an enablement of 20,000 secrets after the engine is SIGKILLed mid-way, losing nothing', async () => {
  const port = await freePort();
  const first = await spawnEngine(env, port);
  const token = await tokenFor(first.url, 'admin', PASSWORD);
  // Once the job is under way, kill the process without warning.
  const running = await startEnablement(first.url, token, 'cluster-root-key-1');
  first.child.kill('SIGKILL');
  await first.exited;
  expect(running.enablement?.progress.total).toBe(20_000);
  expect(running.enablement?.progress.done).toBeLessThan(20_000);

  // Restart on the same data: the job resumes from its checkpoint and finishes.
  const second = await spawnEngine(env, port);
  const token2 = await tokenFor(second.url, 'admin', PASSWORD);
  const cluster = await waitForCluster(second.url, token2, (c) => c.masterStatus === 'Ready', 100);
  expect(cluster.enablement).toMatchObject({
    jobId: running.enablement?.jobId,
    state: 'succeeded',
    progress: { done: 20_000, total: 20_000 },
  });
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);

  // Every secret is there, encrypted under the new key, and opens to its original value.
  const store = new SqliteStore(join(dir, 'keyhaven.sqlite'));
  await expectEverySecretOpens(
    store,
    new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin'))),
    20_000,
  );
});
