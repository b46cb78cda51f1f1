import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultEtcdSettings,
  EtcdStore,
  loadOrCreateKek,
  SoftwareKeyAdapter,
} from '@keyhaven/engine';
import { startEtcdCluster, type EtcdCluster } from '../../../scripts/etcd-cluster.ts';
import { startEnablement, expectEverySecretOpens, waitForCluster } from './job.ts';
import { freePort, spawnEngine, tokenFor, type EngineProcess } from './process.ts';

const PASSWORD = 'etcd-fault-password';
const SECRETS = 20_000;
let etcd: EtcdCluster;
let dir: string;
let engines: EngineProcess[] = [];

const engineEnv = () => ({
  KEYHAVEN_STORE: 'etcd',
  KEYHAVEN_ETCD_ENDPOINTS: etcd.endpoints.join(','),
  KEYHAVEN_ETCD_TIMEOUT_MS: '1500',
  KEYHAVEN_ETCD_LEASE_TTL_SECONDS: '3',
  KEYHAVEN_DATA_DIR: dir,
  KEYHAVEN_DEMO_PASSWORD: PASSWORD,
  KEYHAVEN_DEMO_SECRETS: String(SECRETS),
  KEYHAVEN_JOB_BATCH_SIZE: '100',
});

/** Two engine replicas on the etcd cluster; the first seeds the demo data. */
async function startReplicas() {
  const first = await spawnEngine(engineEnv(), await freePort());
  const second = await spawnEngine(engineEnv(), await freePort());
  engines = [first, second];
  return [first, second] as const;
}

/** Enables KMS on the demo cluster through `via` and waits until the job is under way. */
async function enableAndWaitForProgress(via: EngineProcess) {
  const token = await tokenFor(via.url, 'admin', PASSWORD);
  const running = await startEnablement(via.url, token, 'cluster-root-key-1');
  expect(running.enablement?.progress.done).toBeLessThan(SECRETS);
  return running;
}

async function expectCompleted(via: EngineProcess, jobId: string | undefined) {
  const token = await tokenFor(via.url, 'admin', PASSWORD);
  const cluster = await waitForCluster(via.url, token, (c) => c.masterStatus === 'Ready', 100);
  expect(cluster.enablement).toMatchObject({
    jobId,
    state: 'succeeded',
    progress: { done: SECRETS, total: SECRETS },
  });
  const store = new EtcdStore({ ...defaultEtcdSettings, endpoints: etcd.endpoints });
  await expectEverySecretOpens(
    store,
    new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin'))),
    SECRETS,
  );
}

beforeAll(async () => {
  etcd = await startEtcdCluster(mkdtempSync(join('/dev/shm', 'kh-etcd-faults-')));
});
afterAll(async () => {
  await etcd.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kh-replicas-'));
});
afterEach(async () => {
  for (const engine of engines) {
    engine.child.kill('SIGKILL');
    await engine.exited;
  }
  engines = [];
  for (const member of etcd.members) if (!member.process) await etcd.start(member);
  const store = new EtcdStore({ ...defaultEtcdSettings, endpoints: etcd.endpoints });
  await store.client.delete().all();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two engine replicas on a 3-member etcd, each fault during an enablement of 20,000 secrets', () => {
  it('SIGKILL of the etcd leader: the job completes and every secret opens', async () => {
    const [first] = await startReplicas();
    const running = await enableAndWaitForProgress(first);
    await etcd.kill(await etcd.leader());
    // Users see no difference: the cluster keeps answering while etcd elects a new leader.
    const token = await tokenFor(first.url, 'admin', PASSWORD);
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${first.url}/v2/clusters/c-prod-us-south`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    await expectCompleted(first, running.enablement?.jobId);
  });

  it('SIGKILL of the replica that owns the job: the other replica resumes it from its checkpoint', async () => {
    const [first, second] = await startReplicas();
    const running = await enableAndWaitForProgress(first);
    first.child.kill('SIGKILL');
    await first.exited;
    await expectCompleted(second, running.enablement?.jobId);
    expect(second.output()).toContain('"msg":"took over the re-encryption job"');
  });

  it('loss of quorum for a few seconds: clear 503s meanwhile, then completion', async () => {
    const [first, second] = await startReplicas();
    const running = await enableAndWaitForProgress(first);
    const token = await tokenFor(second.url, 'admin', PASSWORD);
    const leader = await etcd.leader();
    const others = etcd.members.filter((m) => m !== leader);
    for (const member of others) await etcd.kill(member);
    // Without quorum: readiness fails and a write is refused with a clear, retryable error.
    let ready: Response | undefined;
    for (let i = 0; i < 50; i++) {
      ready = await fetch(`${second.url}/readyz`);
      if (ready.status === 503) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready?.status).toBe(503);
    const write = await fetch(`${second.url}/v2/clusters/c-dev-us-east/secrets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'default', name: 'during-outage', data: { a: 'YQ==' } }),
    });
    expect(write.status).toBe(503);
    expect(write.headers.get('retry-after')).toBeTruthy();
    expect(await write.json()).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/store is unavailable/),
    });
    await new Promise((r) => setTimeout(r, 2000));
    for (const member of others) await etcd.start(member);
    await expectCompleted(first, running.enablement?.jobId);
  });
});
