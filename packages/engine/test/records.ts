import { KeyState } from '@keyhaven/contracts';
import type { ClusterRecord, JobRecord, RootKeyRecord } from '../src/domain/records.ts';

const AT = '2026-11-01T00:00:00.000Z';

/** A connected cluster's record with KMS on: whole and typed, so a record change breaks here. */
export function clusterRecordOf(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    id: 'kc-1',
    name: 'real',
    region: 'us-south',
    location: 'Dallas',
    version: '1.37.2',
    accountId: 'acct-demo',
    createdDate: AT,
    status: { message: 'Ready', health: 'normal', modifiedDate: AT },
    kms: {
      instanceId: 'kp',
      accountId: 'acct-demo',
      crkId: 'k',
      keyVersion: 'v',
      privateEndpoint: true,
    },
    previousCrkIds: [],
    connection: { server: 'https://x', caCertificate: '', sealedToken: '', connectedAt: AT },
    ...over,
  };
}

export function rootKeyRecordOf(over: Partial<RootKeyRecord> = {}): RootKeyRecord {
  return {
    id: 'k',
    name: 'key-b',
    instanceId: 'kp',
    state: KeyState.Active,
    creationDate: AT,
    createdBy: 'admin',
    lastUpdateDate: AT,
    versions: [],
    registrations: [],
    ...over,
  };
}

export function jobRecordOf(over: Partial<JobRecord> = {}): JobRecord {
  return {
    id: 'job-1',
    clusterId: 'kc-1',
    reason: 'update',
    actor: 'admin',
    instanceId: 'kp',
    crkId: 'k',
    keyVersion: 'v',
    privateEndpoint: true,
    accountId: 'acct-demo',
    fromCrkId: null,
    state: 'running',
    checkpoint: null,
    done: 0,
    total: 0,
    startedAt: AT,
    ...over,
  };
}
