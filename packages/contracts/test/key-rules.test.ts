import { describe, expect, it } from 'vitest';
import { formatKeyId, keyIdPrefix, keyOfCluster, parseKeyId } from '../src/index.ts';

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
});
