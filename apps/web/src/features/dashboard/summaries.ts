import {
  KeyState,
  type ClusterRow,
  type DashboardKey,
  type DashboardMigration,
} from '@keyhaven/contracts';
import {
  ENCRYPTION_STATES,
  encryptionState,
  type EncryptionState,
} from '../../shared/encryption-state.ts';

const DAY = 86_400_000;

/** One bar or slice of a chart, with where its items are listed. */
export interface Bucket {
  group: string;
  value: number;
  href: string;
}

/** Clusters counted by encryption state, every state listed (zero included), in a fixed order. */
export function clusterStates(clusters: Pick<ClusterRow, 'kmsEnabled' | 'masterHealth'>[]) {
  const counts = new Map<EncryptionState, number>();
  for (const c of clusters)
    counts.set(encryptionState(c), (counts.get(encryptionState(c)) ?? 0) + 1);
  return ENCRYPTION_STATES.map((s): Bucket => ({
    group: s.label,
    value: counts.get(s.id) ?? 0,
    href: `/clusters?state=${s.id}`,
  }));
}

/** Keys that still hold material: a deleted key has no age or rotation to watch. */
const live = (keys: DashboardKey[]) => keys.filter((k) => k.state !== KeyState.Destroyed);

/** Days from `from` to `to` (negative when `to` is earlier). */
const days = (from: Date, to: string) => (Date.parse(to) - from.getTime()) / DAY;

/** Root keys by the age of their current material (since the last rotation, or creation). */
export function keyAges(keys: DashboardKey[], now: Date): Bucket[] {
  const buckets = [
    { group: 'Under 30 days', max: 30 },
    { group: '30–90 days', max: 90 },
    { group: '90 days–1 year', max: 365 },
    { group: 'Over 1 year', max: Infinity },
  ];
  const counts = buckets.map(() => 0);
  for (const k of live(keys)) {
    const age = -days(now, k.lastRotateDate ?? k.creationDate);
    const index = buckets.findIndex((b) => age < b.max);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return buckets.map((b, i) => ({ group: b.group, value: counts[i] ?? 0, href: '/kms' }));
}

/** Root keys by when their rotation policy rotates them next. */
export function nextRotations(keys: DashboardKey[], now: Date): Bucket[] {
  const buckets = ['Within 30 days', '30–90 days', 'Later', 'No rotation policy'];
  const counts = buckets.map(() => 0);
  for (const k of live(keys)) {
    const index =
      k.nextRotationDate === null
        ? 3
        : days(now, k.nextRotationDate) < 30
          ? 0
          : days(now, k.nextRotationDate) < 90
            ? 1
            : 2;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return buckets.map((group, i) => ({ group, value: counts[i] ?? 0, href: '/kms' }));
}

/** Keys that expire within 30 days (or have expired), soonest first. */
export function expiringKeys(keys: DashboardKey[], now: Date): DashboardKey[] {
  return live(keys)
    .filter((k) => k.expirationDate !== null && days(now, k.expirationDate) < 30)
    .sort((a, b) => (a.expirationDate ?? '').localeCompare(b.expirationDate ?? ''));
}

/** Clusters in warning or critical, critical first, then by name. */
export function troubledClusters<T extends Pick<ClusterRow, 'masterHealth' | 'name'>>(
  clusters: T[],
) {
  const rank = (c: T) => (c.masterHealth === 'critical' ? 0 : 1);
  return clusters
    .filter((c) => c.masterHealth === 'warning' || c.masterHealth === 'critical')
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** "1,234 secrets/s", or what stands in its place when there is no rate. */
export function rateText(m: DashboardMigration): string {
  if (m.perSecond !== null) return `${Math.round(m.perSecond).toLocaleString('en-US')} secrets/s`;
  return m.total === 0 ? 'Nothing to re-encrypt' : '—';
}
