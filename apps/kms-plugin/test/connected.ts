import { expect } from 'vitest';
import { keyIdPrefix, type Cluster } from '@keyhaven/contracts';
import { engineCaller, type HttpMethod } from '../../engine/test/process.ts';

/** The demo Key Protect instance whose root keys the connected-cluster tests use. */
export const INSTANCE = 'kp-us-south';

/** What every key_id the plug-in writes under a root key version of the instance starts with. */
export const prefixOf = (crk: string, version: string | undefined) =>
  keyIdPrefix({ instanceId: INSTANCE, keyId: crk, versionId: version ?? '-' });

/** Polls probe every 0.5 s until it gives a value; fails naming what did not happen, and why. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  seconds = 180,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < seconds * 2; i++) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} did not happen within ${seconds} s${last ? `: ${String(last)}` : ''}`);
}

/**
 * A connected cluster driven through the engine's API as admin. The engine's URL, the token and
 * the cluster are read on each call: they change when the engine restarts or the test connects.
 */
export function connectedCluster(target: {
  url: () => string;
  token: () => string;
  clusterId: () => string;
}) {
  const api = <T>(method: HttpMethod, path: string, body?: unknown) =>
    engineCaller(target.url(), target.token, INSTANCE)<T>(method, path, body);
  const cluster = async () =>
    (await api<Cluster>('GET', `/v2/clusters/${target.clusterId()}`)).body;
  return {
    api,
    cluster,
    /** Enable (or Update) the cluster's KMS with a root key of the instance: accepted. */
    async enableWith(crkId: string): Promise<void> {
      const accepted = await api('POST', '/v2/enableKMS', {
        cluster: target.clusterId(),
        instance_id: INSTANCE,
        crk_id: crkId,
        private_endpoint: true,
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    },
    /** The cluster once Ready with its job succeeded; on time-out, the cluster as it stands. */
    ready: (what: string, seconds?: number) =>
      eventually(
        what,
        async () => {
          const c = await cluster();
          return c.masterStatus === 'Ready' && c.enablement?.state === 'succeeded' ? c : undefined;
        },
        seconds,
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await cluster().catch(() => null))}`);
      }),
  };
}
