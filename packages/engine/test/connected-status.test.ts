import { describe, expect, it } from 'vitest';
import { KeyState } from '@keyhaven/contracts';
import { desiredStatus } from '../src/domain/clusters.ts';
import { clusterRecordOf, jobRecordOf, rootKeyRecordOf } from './records.ts';

const now = new Date('2026-11-30T12:00:00Z');
const cluster = clusterRecordOf();
const key = rootKeyRecordOf();
const plugin = 'KMS plug-in kms-plugin:node-1 reports: access to the root key refused.';

describe('Master status of a connected cluster', () => {
  it('warns with what its KMS plug-in answers the API server', () => {
    expect(desiredStatus({ cluster, job: undefined, key, now, pluginProblem: plugin })).toEqual({
      message: plugin,
      health: 'warning',
    });
    expect(desiredStatus({ cluster, job: undefined, key, now })).toEqual({
      message: 'Ready',
      health: 'normal',
    });
  });

  it('names the root key first when it is disabled, and the job while one runs', () => {
    const disabled = { ...key, state: KeyState.Suspended };
    expect(
      desiredStatus({ cluster, job: undefined, key: disabled, now, pluginProblem: plugin }).message,
    ).toBe('Root key key-b is disabled: enable it to read secrets again.');
    const job = jobRecordOf({ state: 'running' });
    expect(desiredStatus({ cluster, job, key, now, pluginProblem: plugin })).toEqual({
      message: 'KMS feature enablement in progress.',
      health: 'in_progress',
    });
  });

  it('says Ready but not verified when the migration finished without etcd access', () => {
    const unverified = jobRecordOf({ state: 'succeeded', verified: false });
    expect(desiredStatus({ cluster, job: unverified, key, now })).toEqual({
      message: 'Ready, not verified: Keyhaven has no etcd access to check the stored bytes.',
      health: 'normal',
    });
    const verified = jobRecordOf({ state: 'succeeded', verified: true });
    expect(desiredStatus({ cluster, job: verified, key, now }).message).toBe('Ready');
  });

  it('says why a rotation re-encrypts: by policy, or by whom', () => {
    const byPolicy = jobRecordOf({ state: 'running', reason: 'rotate', actor: 'system' });
    expect(desiredStatus({ cluster, job: byPolicy, key, now })).toEqual({
      message:
        'KMS feature enablement in progress. Rotated by policy: re-encrypting under the new version of root key key-b.',
      health: 'in_progress',
    });
    const byHand = jobRecordOf({ state: 'running', reason: 'rotate', actor: 'admin' });
    expect(desiredStatus({ cluster, job: byHand, key, now }).message).toBe(
      'KMS feature enablement in progress. Rotated by admin: re-encrypting under the new version of root key key-b.',
    );
    const update = jobRecordOf({ state: 'running', reason: 'update', actor: 'system' });
    expect(desiredStatus({ cluster, job: update, key, now }).message).toBe(
      'KMS feature enablement in progress.',
    );
    const named = { ...update, fromCrkName: 'key-a' };
    expect(desiredStatus({ cluster, job: named, key, now }).message).toBe(
      'KMS feature enablement in progress. Updating from key-a to key-b.',
    );
    expect(desiredStatus({ cluster, job: named, key: undefined, now }).message).toBe(
      'KMS feature enablement in progress.',
    );
  });
});
