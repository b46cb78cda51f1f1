import { describe, expect, it } from 'vitest';
import {
  deletionAuthorization,
  DELETION_AUTHORIZATION_DAYS,
  lastRotateDate,
  manualRotationAllowedFrom,
  MANUAL_ROTATION_EVERY_MS,
  nextRotationDate,
  KeyState,
  daysUntilExpiry,
  expiresSoon,
  formatKeyId,
  isKeyExpired,
  keyIdPrefix,
  keyOfCluster,
  keyUsability,
  parseKeyId,
  type KeyStateNumber,
} from '../src/index.ts';

describe('rules every tier shares', () => {
  it('R4: a cluster cannot pick the root key it uses, nor one it used before', () => {
    const key = { id: 'k1', name: 'cluster-root-key-1' };
    expect(keyOfCluster(key, { crkId: 'k1', previousCrkIds: [] })).toMatchObject({
      reason: 'in-use',
      code: 'ROOT_KEY_IN_USE',
    });
    expect(keyOfCluster(key, { crkId: 'k2', previousCrkIds: ['k1'] })).toEqual({
      reason: 'used-before',
      code: 'ROOT_KEY_USED_BEFORE',
      message:
        'Root key cluster-root-key-1 was used by this cluster before and cannot be used again.',
    });
    expect(keyOfCluster(key, { crkId: undefined, previousCrkIds: ['k3'] })).toBeNull();
    expect(keyOfCluster(key, { crkId: 'k1', previousCrkIds: ['k1'] })?.message).toBe(
      'Root key cluster-root-key-1 already encrypts this cluster: pick another root key to update.',
    );
  });

  it('writes a key_id the plug-in reports and reads back only what it wrote', () => {
    const ref = { instanceId: 'kp-us-south', keyId: 'k1', versionId: 'v2', registrationId: 'r9' };
    const keyId = formatKeyId(ref);
    expect(keyId).toBe('keyhaven:v1:kp-us-south:k1:v2:r9');
    expect(keyId.startsWith(keyIdPrefix(ref))).toBe(true);
    expect(parseKeyId(keyId)).toEqual(ref);
    for (const other of [
      'keyhaven:v2:kp-us-south:k1:v2:r9',
      'keyhaven:v1:kp-us-south:k1:v2',
      'keyhaven:v1:kp-us-south:k1:v2:r9:extra',
      'keyhaven:v1:kp us:k1:v2:r9',
      `keyhaven:v1:kp-us-south:k1:v2:${'r'.repeat(65)}`,
      `keyhaven:v1:${'a'.repeat(1020)}`,
    ])
      expect(parseKeyId(other), other).toBeUndefined();
  });

  it('reads a key_id of up to 1,023 characters, as the API server allows', () => {
    const ref = { instanceId: 'i', keyId: 'k', versionId: 'v', registrationId: 'r' };
    expect(parseKeyId(formatKeyId(ref))).toEqual(ref);
    const long = {
      ...ref,
      instanceId: 'a'.repeat(64),
      keyId: 'b'.repeat(64),
      versionId: 'c'.repeat(64),
    };
    expect(parseKeyId(formatKeyId(long))).toEqual(long);
  });
});

describe('R7–R9: when a root key can wrap and unwrap', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const key = (over: Partial<{ state: KeyStateNumber; expirationDate: string }> = {}) => ({
    name: 'k1',
    state: KeyState.Active,
    ...over,
  });

  it('counts whole days to the expiration date, rounding up, and none without one', () => {
    expect(daysUntilExpiry({}, now)).toBeUndefined();
    expect(daysUntilExpiry({ expirationDate: null }, now)).toBeUndefined();
    expect(daysUntilExpiry({ expirationDate: '2026-12-01T12:00:00Z' }, now)).toBe(0);
    expect(daysUntilExpiry({ expirationDate: '2026-12-01T12:00:01Z' }, now)).toBe(1);
    expect(daysUntilExpiry({ expirationDate: '2026-12-31T12:00:00Z' }, now)).toBe(30);
    expect(daysUntilExpiry({ expirationDate: '2026-11-29T12:00:00Z' }, now)).toBe(-2);
  });

  it('flags a key expiring within 30 days, not one expired or further off', () => {
    const at = (iso: string) => expiresSoon({ expirationDate: iso }, now);
    expect(expiresSoon({}, now)).toBe(false);
    expect(at('2026-12-01T12:00:00Z')).toBe(false);
    expect(at('2026-12-01T12:00:01Z')).toBe(true);
    expect(at('2026-12-31T12:00:00Z')).toBe(true);
    expect(at('2026-12-31T12:00:01Z')).toBe(false);
  });

  it('is expired from the expiration instant on', () => {
    expect(isKeyExpired({}, now)).toBe(false);
    expect(isKeyExpired({ expirationDate: '2026-12-01T12:00:00Z' }, now)).toBe(true);
    expect(isKeyExpired({ expirationDate: '2026-12-01T12:00:00.001Z' }, now)).toBe(false);
  });

  it('names why a key cannot be used: deleted first, then expired, then disabled', () => {
    expect(keyUsability(key(), now)).toEqual({ usable: true });
    expect(
      keyUsability(key({ state: KeyState.Destroyed, expirationDate: '2020-01-01' }), now),
    ).toEqual({
      usable: false,
      reason: 'destroyed',
      code: 'ROOT_KEY_DELETED',
      message: 'Root key k1 was deleted: data encrypted with it cannot be recovered.',
    });
    expect(
      keyUsability(key({ state: KeyState.Suspended, expirationDate: '2026-12-01T00:00:00Z' }), now),
    ).toEqual({
      usable: false,
      reason: 'expired',
      code: 'ROOT_KEY_EXPIRED',
      message: 'Root key k1 expired on 2026-12-01T00:00:00Z: it can no longer wrap or unwrap.',
    });
    expect(keyUsability(key({ state: KeyState.Deactivated }), now)).toMatchObject({
      reason: 'expired',
      message: 'Root key k1 expired on its expiration date: it can no longer wrap or unwrap.',
    });
    expect(keyUsability(key({ state: KeyState.Suspended }), now)).toEqual({
      usable: false,
      reason: 'disabled',
      code: 'ROOT_KEY_DISABLED',
      message: 'Root key k1 is disabled: enable it to read secrets again.',
    });
    expect(keyUsability(key({ expirationDate: '2026-12-02T00:00:00Z' }), now)).toEqual({
      usable: true,
    });
  });
});

describe('issue 28: when a root key rotates', () => {
  const created = '2026-01-01T00:00:00.000Z';
  const once = { creationDate: created, versions: [{ creationDate: created }] };
  const rotated = {
    creationDate: created,
    versions: [{ creationDate: created }, { creationDate: '2026-03-10T12:00:00.000Z' }],
  };

  it('was last rotated at its newest version, and never while it has its first only', () => {
    expect(lastRotateDate(once)).toBeUndefined();
    expect(lastRotateDate(rotated)).toBe('2026-03-10T12:00:00.000Z');
  });

  it('by policy every interval_month × 30 days after its creation or its last rotation', () => {
    expect(nextRotationDate(once, 1).toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(nextRotationDate(once, 12).toISOString()).toBe('2026-12-27T00:00:00.000Z');
    expect(nextRotationDate(rotated, 2).toISOString()).toBe('2026-05-09T12:00:00.000Z');
  });

  it('by hand once an hour: the time from which it may, or nothing when it may now', () => {
    const at = (iso: string) => new Date(iso);
    expect(manualRotationAllowedFrom(once, at(created))).toBeUndefined();
    expect(manualRotationAllowedFrom(rotated, at('2026-03-10T12:59:59.999Z'))?.toISOString()).toBe(
      '2026-03-10T13:00:00.000Z',
    );
    expect(manualRotationAllowedFrom(rotated, at('2026-03-10T13:00:00.000Z'))).toBeUndefined();
    expect(
      manualRotationAllowedFrom(rotated, at('2026-03-10T12:00:01.000Z'), 1_000),
    ).toBeUndefined();
    expect(MANUAL_ROTATION_EVERY_MS).toBe(3_600_000);
  });
});

describe('issue 28: a dual-authorization delete', () => {
  it('is authorized until its expiry, lapsed from then, and none without one', () => {
    const auth = { expiresAt: '2026-12-14T10:00:00.000Z' };
    expect(deletionAuthorization(undefined, new Date())).toBe('none');
    expect(deletionAuthorization(auth, new Date('2026-12-14T09:59:59.999Z'))).toBe('pending');
    expect(deletionAuthorization(auth, new Date('2026-12-14T10:00:00.000Z'))).toBe('lapsed');
    expect(DELETION_AUTHORIZATION_DAYS).toBe(7);
  });
});
