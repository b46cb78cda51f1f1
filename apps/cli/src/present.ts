import {
  ago,
  EXPIRY_WARNING_DAYS,
  count,
  daysUntilExpiry,
  isJobActive,
  keyUsability,
  providerLabel,
  type Cluster,
  type KmsInstance,
  type RootKey,
} from '@keyhaven/contracts';
import { labelled, table } from './output.ts';

const STATE = {
  normal: 'normal',
  in_progress: 'pending',
  warning: 'warning',
  critical: 'critical',
};

const date = (iso: string | undefined) => (iso ? iso.slice(0, 10) : '-');

/** Tables list by name, as a person looks for a row; JSON keeps the API's order. */
const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

/** The key's state as the engine judges it (R7, R8, R9). */
export function keyState(key: RootKey): string {
  const usability = keyUsability(key, new Date());
  return usability.usable
    ? 'Active'
    : { destroyed: 'Deleted', expired: 'Expired', disabled: 'Disabled' }[usability.reason];
}

/** The expiry day, flagged when it is within EXPIRY_WARNING_DAYS (R9), as the console flags it. */
export function expires(iso: string | undefined, now = new Date()): string {
  if (!iso) return 'never';
  const days = daysUntilExpiry({ expirationDate: iso }, now) ?? Infinity;
  if (days <= 0) return `${date(iso)} (expired)`;
  return days <= EXPIRY_WARNING_DAYS
    ? `${date(iso)} (expires in ${days} day${days === 1 ? '' : 's'})`
    : date(iso);
}

export const instanceTable = (instances: KmsInstance[]) =>
  table(
    ['Name', 'ID', 'Region', 'Service'],
    byName(instances).map((i) => [i.name, i.id, i.region, providerLabel[i.provider]]),
  );

export const rootKeyTable = (keys: RootKey[]) =>
  table(
    ['Name', 'ID', 'State', 'Origin', 'Expires', 'Versions', 'Used by'],
    byName(keys).map((k) => [
      k.name,
      k.id,
      keyState(k),
      k.imported ? 'Imported' : 'Keyhaven',
      expires(k.expirationDate),
      String(k.versions.length),
      k.registrations.map((r) => r.clusterName).join(', ') || '-',
    ]),
  );

/** The console's words: KMS is "enabled" or "not enabled" (it is never disabled once on, R5). */
export const kmsWord = (cluster: Pick<Cluster, 'features'>) =>
  cluster.features.keyProtectEnabled ? 'enabled' : 'not enabled';

export const clusterTable = (clusters: Cluster[]) =>
  table(
    ['Name', 'ID', 'State', 'Location', 'Version', 'Key Management Service'],
    byName(clusters).map((c) => [
      c.name,
      c.id,
      STATE[c.masterHealth],
      c.location,
      c.masterKubeVersion,
      kmsWord(c),
    ]),
  );

/** "Ready (1 min ago)", or the status with its progress while KMS enablement runs. */
export function masterStatus(cluster: Cluster): string {
  const job = cluster.enablement;
  if (job && isJobActive(job))
    return `${cluster.masterStatus} (${count(job.progress.done)} of ${count(job.progress.total)} secrets)`;
  return cluster.masterHealth === 'normal'
    ? `${cluster.masterStatus} (${ago(cluster.masterStatusModifiedDate)})`
    : cluster.masterStatus;
}

/** `keyhaven ks cluster get`: the `Label: value` layout of the seeds' CLI. */
export function clusterDetails(cluster: Cluster): string {
  const kms = cluster.kms;
  return labelled([
    ['Name', cluster.name],
    ['ID', cluster.id],
    ['State', STATE[cluster.masterHealth]],
    ['Created', cluster.createdDate],
    ['Location', cluster.location],
    ['Region', cluster.region],
    ['Version', cluster.masterKubeVersion],
    ['Master Status', masterStatus(cluster)],
    ['Key Management Service', kmsWord(cluster)],
    ...(kms
      ? ([
          [
            'KMS Instance',
            `${kms.instanceName} (${kms.instanceId}, ${providerLabel[kms.provider]})`,
          ],
          ['KMS Account', kms.accountId],
          ['Root Key', `${kms.crkName} (${kms.crkId})`],
          ['Root Key Version', kms.keyVersion],
          ['KMS Endpoint', kms.privateEndpoint ? 'private' : 'public'],
        ] as [string, string][])
      : []),
    ...(cluster.connection
      ? ([
          ['API Server', cluster.connection.server],
          ['etcd Access', cluster.connection.etcd ? 'given (Verify reads etcd)' : 'not given'],
          [
            'KMS Plug-ins',
            cluster.connection.plugins
              .map((p) => `${p.resource}: ${p.stale ? `silent since ${p.reportedAt}` : p.healthz}`)
              .join(', ') || 'none has reported',
          ],
        ] as [string, string][])
      : []),
  ]);
}
