import { expect } from 'vitest';
import { pino } from 'pino';
import { Cluster } from '@keyhaven/contracts';
import { createEngine, StoreKey, type KeyAdapter, type Store } from '@keyhaven/engine';
import { enableKmsOverHttp } from './process.ts';

export const CLUSTER = 'c-prod-us-south';

/**
 * Enables KMS on the demo cluster with the named Key Protect root key, over HTTP, and returns the
 * cluster once the job is under way (2,000 secrets done), for a fault to strike mid-job.
 */
export async function startEnablement(url: string, token: string, keyName: string) {
  await enableKmsOverHttp(url, token, CLUSTER, keyName);
  return waitForCluster(url, token, (c) => (c.enablement?.progress.done ?? 0) >= 2000, 5);
}

export async function clusterOverHttp(url: string, token: string) {
  const response = await fetch(`${url}/v2/clusters/${CLUSTER}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return Cluster.parse(await response.json());
}

/**
 * Polls the cluster until done(cluster) holds. A 503 (the store regaining quorum after a fault)
 * is polled again; any other answer that is not the cluster fails.
 */
export async function waitForCluster(
  url: string,
  token: string,
  done: (cluster: Cluster) => boolean,
  pollMs = 20,
): Promise<Cluster> {
  for (;;) {
    const response = await fetch(`${url}/v2/clusters/${CLUSTER}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 503) {
      const cluster = Cluster.parse(await response.json());
      if (done(cluster)) return cluster;
    } else await response.body?.cancel();
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Opens every stored secret of the demo cluster with a fresh engine on the same store and key
 * adapter: each must carry the KMS prefix and decrypt to its original demo value.
 */
export async function expectEverySecretOpens(store: Store, keyAdapter: KeyAdapter, total: number) {
  const engine = createEngine({ store, keyAdapter, logger: pino({ level: 'silent' }) });
  try {
    const prefix = StoreKey.secrets(CLUSTER);
    const resolver = engine.seeds.resolver(CLUSTER);
    let after: string | undefined;
    let count = 0;
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
    expect(count).toBe(total);
  } finally {
    await engine.close();
  }
}
