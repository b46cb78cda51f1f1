import { KeyState, type Cluster, type RootKey } from '@keyhaven/contracts';

const AT = '2026-11-01T00:00:00.000Z';

/** A root key as the engine answers it: whole, typed, so that a contract change breaks here. */
export function rootKeyOf(over: Partial<RootKey> = {}): RootKey {
  return {
    id: 'k1',
    type: 'application/vnd.ibm.kms.key+json',
    name: 'cluster-root-key-1',
    state: KeyState.Active,
    extractable: false,
    instanceId: 'kp-us-south',
    crn: 'crn:v1:keyhaven:public:kms:us-south:a/acct-demo:kp-us-south:key:k1',
    creationDate: AT,
    createdBy: 'admin',
    lastUpdateDate: AT,
    keyVersion: { id: 'v1', creationDate: AT },
    versions: [{ id: 'v1', creationDate: AT }],
    registrations: [],
    deleted: false,
    ...over,
  };
}

/** A cluster as the BFF answers it: a demo cluster without KMS unless the test says otherwise. */
export function clusterOf(over: Partial<Cluster> = {}): Cluster {
  const status = { masterStatus: 'Ready', masterHealth: 'normal', masterStatusModifiedDate: AT };
  return {
    id: 'c1',
    name: 'prod-us-south',
    region: 'us-south',
    location: 'Dallas',
    masterKubeVersion: '1.37.2',
    accountId: 'acct-demo',
    createdDate: AT,
    ...status,
    masterHealth: 'normal',
    lifecycle: { ...status, masterHealth: 'normal' },
    features: { keyProtectEnabled: false },
    kms: null,
    enablement: null,
    connection: null,
    ...over,
  };
}
