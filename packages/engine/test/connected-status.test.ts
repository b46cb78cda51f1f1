import { describe, expect, it } from 'vitest';
import { KeyState } from '@keyhaven/contracts';
import { desiredStatus } from '../src/domain/clusters.ts';
import type { ClusterRecord, JobRecord, RootKeyRecord } from '../src/domain/records.ts';

const now = new Date('2026-11-30T12:00:00Z');
const cluster = {
  id: 'kc-1',
  name: 'real',
  kms: { instanceId: 'kp', accountId: 'a', crkId: 'k', keyVersion: 'v', privateEndpoint: true },
  connection: { server: 'https://x', caCertificate: '', sealedToken: '', connectedAt: '' },
} as unknown as ClusterRecord;
const key = {
  id: 'k',
  name: 'key-b',
  state: KeyState.Active,
  versions: [],
} as unknown as RootKeyRecord;
const plugin = 'KMS plug-in kms-plugin:node-1 reports: access to the root key refused.';

describe('Master status of a connected cluster', () => {
  it('warns with what its KMS plug-in answers the API server', () => {
    expect(desiredStatus(cluster, undefined, key, now, undefined, undefined, plugin)).toEqual({
      message: plugin,
      health: 'warning',
    });
    expect(desiredStatus(cluster, undefined, key, now)).toEqual({
      message: 'Ready',
      health: 'normal',
    });
  });

  it('names the root key first when it is disabled, and the job while one runs', () => {
    const disabled = { ...key, state: KeyState.Suspended };
    expect(
      desiredStatus(cluster, undefined, disabled, now, undefined, undefined, plugin).message,
    ).toBe('Root key key-b is disabled: enable it to read secrets again.');
    const job = { state: 'running' } as JobRecord;
    expect(desiredStatus(cluster, job, key, now, undefined, undefined, plugin)).toEqual({
      message: 'KMS feature enablement in progress.',
      health: 'in_progress',
    });
  });

  it('says Ready but not verified when the migration finished without etcd access', () => {
    const unverified = { state: 'succeeded', verified: false } as JobRecord;
    expect(desiredStatus(cluster, unverified, key, now)).toEqual({
      message: 'Ready, not verified: Keyhaven has no etcd access to check the stored bytes.',
      health: 'normal',
    });
    const verified = { state: 'succeeded', verified: true } as JobRecord;
    expect(desiredStatus(cluster, verified, key, now).message).toBe('Ready');
  });
});
