import { KeyState, type KeyStateNumber } from './keys.ts';

// The root-key rules every tier shares: the engine decides with them, the BFF and the console
// mirror them, so a key the console offers is a key the engine accepts.

/** Why a root key cannot wrap or unwrap, as the console's pickers and tags name it. */
export type KeyUnusableReason = 'destroyed' | 'expired' | 'disabled';

export type KeyUsability =
  { usable: true } | { usable: false; reason: KeyUnusableReason; code: string; message: string };

/** A root key whose expiry is this close is flagged wherever it is offered or in use (R9). */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/** Whole days until the key expires (0 or less: expired), or undefined for a key that never does. */
export function daysUntilExpiry(
  key: { expirationDate?: string | null | undefined },
  now: Date,
): number | undefined {
  if (!key.expirationDate) return undefined;
  return Math.ceil((new Date(key.expirationDate).getTime() - now.getTime()) / DAY_MS);
}

/** Expires within EXPIRY_WARNING_DAYS (and has not expired yet). */
export function expiresSoon(key: { expirationDate?: string | null | undefined }, now: Date) {
  const days = daysUntilExpiry(key, now);
  return days !== undefined && days > 0 && days <= EXPIRY_WARNING_DAYS;
}

/** Key Protect counts the months of a rotation interval as 30 days each. */
export const ROTATION_MONTH_DAYS = 30;
/** Key Protect rotates one key by hand at most once an hour. */
export const MANUAL_ROTATION_EVERY_MS = 3600 * 1000;

/** A root key's record as the rotation rules read it: versions oldest first. */
interface VersionedKey {
  creationDate: string;
  versions: readonly { creationDate: string }[];
}

/** When the key was last rotated (its newest version's date); undefined while it has one version. */
export function lastRotateDate(key: VersionedKey): string | undefined {
  return key.versions.length > 1 ? key.versions.at(-1)?.creationDate : undefined;
}

/**
 * When a rotation policy of `intervalMonth` rotates the key next: that many 30-day months after
 * its creation or its last rotation, by hand or by policy.
 */
export function nextRotationDate(key: VersionedKey, intervalMonth: number): Date {
  const from = Date.parse(lastRotateDate(key) ?? key.creationDate);
  return new Date(from + intervalMonth * ROTATION_MONTH_DAYS * DAY_MS);
}

/** Undefined when the key may be rotated by hand now; otherwise the time from which it may. */
export function manualRotationAllowedFrom(
  key: VersionedKey,
  now: Date,
  everyMs = MANUAL_ROTATION_EVERY_MS,
): Date | undefined {
  const last = lastRotateDate(key);
  if (last === undefined) return undefined;
  const from = new Date(Date.parse(last) + everyMs);
  return from.getTime() > now.getTime() ? from : undefined;
}

/** How long a first Manager's authorization to delete a key lets a second one delete it. */
export const DELETION_AUTHORIZATION_DAYS = 7;

/** When an authorization to delete made at `at` lapses. */
export const deletionAuthorizationExpiry = (at: Date): Date =>
  new Date(at.getTime() + DELETION_AUTHORIZATION_DAYS * DAY_MS);

/** Where a dual-authorization delete stands: nobody authorized, authorized, or lapsed unused. */
export function deletionAuthorization(
  auth: { expiresAt: string } | undefined,
  now: Date,
): 'none' | 'pending' | 'lapsed' {
  if (!auth) return 'none';
  return Date.parse(auth.expiresAt) > now.getTime() ? 'pending' : 'lapsed';
}

/** Whether a root key is past its expiration date (R9). */
export function isKeyExpired(key: { expirationDate?: string | undefined }, now: Date): boolean {
  return (
    key.expirationDate !== undefined && new Date(key.expirationDate).getTime() <= now.getTime()
  );
}

/**
 * Whether a root key can wrap and unwrap now (R7, R8, R9): deleted, expired (by date or by the
 * engine's sweep) and disabled keys cannot. The engine decides with it; the console mirrors it.
 */
export function keyUsability(
  key: { name: string; state: KeyStateNumber; expirationDate?: string | undefined },
  now: Date,
): KeyUsability {
  if (key.state === KeyState.Destroyed)
    return {
      usable: false,
      reason: 'destroyed',
      code: 'ROOT_KEY_DELETED',
      message: `Root key ${key.name} was deleted: data encrypted with it cannot be recovered.`,
    };
  if (isKeyExpired(key, now) || key.state === KeyState.Deactivated)
    return {
      usable: false,
      reason: 'expired',
      code: 'ROOT_KEY_EXPIRED',
      message: `Root key ${key.name} expired on ${key.expirationDate ?? 'its expiration date'}: it can no longer wrap or unwrap.`,
    };
  if (key.state !== KeyState.Active)
    return {
      usable: false,
      reason: 'disabled',
      code: 'ROOT_KEY_DISABLED',
      message: `Root key ${key.name} is disabled: enable it to read secrets again.`,
    };
  return { usable: true };
}

/** Why a cluster cannot pick a root key it has had (R4), with what the engine answers then. */
export type KeyOfCluster = {
  reason: 'in-use' | 'used-before';
  code: 'ROOT_KEY_IN_USE' | 'ROOT_KEY_USED_BEFORE';
  message: string;
};

/**
 * A root key that encrypts the cluster now, or did before, cannot be picked (R4); null when it
 * is neither. The engine refuses with it; the Enable/Update form mirrors it.
 */
export function keyOfCluster(
  key: { id: string; name: string },
  cluster: { crkId: string | undefined; previousCrkIds: readonly string[] },
): KeyOfCluster | null {
  if (cluster.crkId === key.id)
    return {
      reason: 'in-use',
      code: 'ROOT_KEY_IN_USE',
      message: `Root key ${key.name} already encrypts this cluster: pick another root key to update.`,
    };
  if (cluster.previousCrkIds.includes(key.id))
    return {
      reason: 'used-before',
      code: 'ROOT_KEY_USED_BEFORE',
      message: `Root key ${key.name} was used by this cluster before and cannot be used again.`,
    };
  return null;
}
