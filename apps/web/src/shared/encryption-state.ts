import type { ClusterRow } from '@keyhaven/contracts';

/** Where a cluster stands with KMS, as the dashboard counts and the clusters list filters it. */
export const ENCRYPTION_STATES = [
  { id: 'enabled', label: 'KMS enabled' },
  { id: 'not-enabled', label: 'Not enabled' },
  { id: 'in-progress', label: 'In progress' },
  { id: 'warning', label: 'Warning' },
  { id: 'critical', label: 'Critical' },
] as const;
export type EncryptionState = (typeof ENCRYPTION_STATES)[number]['id'];

export function encryptionState(cluster: Pick<ClusterRow, 'kmsEnabled' | 'masterHealth'>) {
  if (cluster.masterHealth === 'in_progress') return 'in-progress';
  if (cluster.masterHealth === 'critical') return 'critical';
  if (cluster.masterHealth === 'warning') return 'warning';
  return cluster.kmsEnabled ? 'enabled' : 'not-enabled';
}

export const isEncryptionState = (value: string | null): value is EncryptionState =>
  ENCRYPTION_STATES.some((s) => s.id === value);

export const encryptionStateLabel = (state: EncryptionState) =>
  ENCRYPTION_STATES.find((s) => s.id === state)?.label ?? state;
