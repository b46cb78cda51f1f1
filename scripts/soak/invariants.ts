// What must hold once the soak quiesces, checked from the outside: the bytes both etcds hold, the
// plug-ins' own Status, every log on disk.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdPrefix, type Cluster } from '@keyhaven/contracts';
import {
  decodeEncryptedObject,
  defaultEtcdSettings,
  EtcdStore,
  parseKmsPrefix,
  StoreKey,
} from '@keyhaven/engine';
import { kmsClient } from '../../apps/kms-plugin/test/plugin.ts';
import type { Kube } from '../../apps/kms-plugin/test/kube.ts';

const KUBE_PREFIX = 'k8s:enc:kms:v2:keyhaven:';

/** The key_id prefix of what the plug-in writes under a cluster's current key version. */
const pluginKeyPrefix = (kms: NonNullable<Cluster['kms']>) =>
  keyIdPrefix({ instanceId: kms.instanceId, keyId: kms.crkId, versionId: kms.keyVersion });

/** Every Secret the API servers stored in their etcd is under the connected cluster's key. */
export async function kubeStoreUnderKey(kube: Kube, cluster: Cluster): Promise<string[]> {
  if (!cluster.kms) return [`${cluster.id} has no key`];
  const want = pluginKeyPrefix(cluster.kms);
  const problems: string[] = [];
  const stored = await kube.etcdRange('/registry/secrets/');
  for (const [key, bytes] of stored) {
    if (bytes.subarray(0, KUBE_PREFIX.length).toString() !== KUBE_PREFIX) {
      problems.push(`${key} is not stored under the KMS plug-in`);
      continue;
    }
    const keyId = decodeEncryptedObject(bytes.subarray(KUBE_PREFIX.length)).keyID;
    if (!keyId.startsWith(want)) problems.push(`${key} is under ${keyId}, not ${want}…`);
  }
  if (stored.size === 0) return ['the cluster etcd holds no Secrets'];
  return summary(`${cluster.id} (its own etcd)`, problems, stored.size);
}

/** One violation per cluster: how many of its Secrets are wrong, with the first three. */
const summary = (what: string, problems: string[], total: number) =>
  problems.length === 0
    ? []
    : [
        `${problems.length} of ${total} Secrets of ${what} are not under its current key version: ${problems.slice(0, 3).join('; ')}`,
      ];

/** Every Secret of the demo clusters in Keyhaven's own etcd is under its cluster's key version. */
export async function storeUnderKeys(endpoints: string[], clusters: Cluster[]): Promise<string[]> {
  const store = new EtcdStore({ ...defaultEtcdSettings, endpoints });
  const problems: string[] = [];
  try {
    for (const cluster of clusters) {
      const want = cluster.kms && `${cluster.kms.crkId}:${cluster.kms.keyVersion}`;
      let after: string | undefined;
      let count = 0;
      const wrong: string[] = [];
      for (;;) {
        const page = await store.range(StoreKey.secrets(cluster.id), {
          limit: 1000,
          ...(after !== undefined && { after }),
        });
        for (const kv of page.kvs) {
          count++;
          const provider = parseKmsPrefix(kv.value);
          if (!provider) {
            wrong.push(`${kv.key} is stored without encryption`);
            continue;
          }
          const prefix = `k8s:enc:kms:v2:${provider}:`.length;
          const keyId = decodeEncryptedObject(kv.value.subarray(prefix)).keyID;
          if (keyId !== want) wrong.push(`${kv.key} is under ${keyId}, not ${want}`);
        }
        if (!page.more) break;
        after = page.kvs.at(-1)?.key;
      }
      if (count === 0) problems.push(`${cluster.id} has no Secrets in the store`);
      problems.push(...summary(cluster.id, wrong, count));
    }
  } finally {
    await store.close();
  }
  return problems;
}

/** Each plug-in's gRPC Status names the cluster's current key version and is healthy. */
export async function pluginsMatchKey(sockets: string[], cluster: Cluster): Promise<string[]> {
  if (!cluster.kms) return [`${cluster.id} has no key`];
  const want = pluginKeyPrefix(cluster.kms);
  const problems: string[] = [];
  for (const socket of sockets) {
    const client = kmsClient(socket);
    try {
      const status = await client.status();
      if (status.healthz !== 'ok') problems.push(`plug-in ${socket} reports ${status.healthz}`);
      if (!status.keyId.startsWith(want))
        problems.push(`plug-in ${socket} reports ${status.keyId}, not ${want}…`);
    } catch (err) {
      problems.push(`plug-in ${socket} did not answer Status: ${(err as Error).message}`);
    } finally {
      client.close();
    }
  }
  return problems;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) return filesUnder(path);
    return name.endsWith('.log') ? [path] : [];
  });
}

/** Logs (*.log under the folders) holding the run's marker, as text or base64. */
export function markersInLogs(dirs: string[], marker: string): string[] {
  const needles = [marker, Buffer.from(marker).toString('base64')];
  const problems: string[] = [];
  for (const file of dirs.flatMap(filesUnder)) {
    const text = readFileSync(file, 'latin1');
    for (const needle of needles)
      if (text.includes(needle)) problems.push(`${file} holds a secret value (${needle})`);
  }
  return problems;
}

/** How many log files the marker check read (so a run that read none is seen). */
export const logFileCount = (dirs: string[]) => dirs.flatMap(filesUnder).length;
