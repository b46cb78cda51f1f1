import { randomUUID } from 'node:crypto';
import type { Engine } from './engine.ts';
import { getDoc, json } from './domain/context.ts';
import { hashPassword } from './domain/iam.ts';
import {
  StoreKey,
  type AccountRecord,
  type AuthorizationRecord,
  type ClusterRecord,
  type InstanceRecord,
  type UserRecord,
} from './domain/records.ts';
import type { Op } from './store/types.ts';

export const DEMO_ACCOUNT = 'acct-demo';
export const PARTNER_ACCOUNT = 'acct-partner';
const MARKER = '/keyhaven/config/demo-seeded';
const DAY = 24 * 3600 * 1000;

export interface DemoOptions {
  password: string;
  /** Secrets in the largest cluster (enablement progress is visible at 20,000). */
  bigClusterSecrets?: number;
  /** Clusters beside the three named ones (fleet-001…), to try the console on a larger fleet. */
  extraClusters?: number;
}

const ACCOUNTS: AccountRecord[] = [
  { id: DEMO_ACCOUNT, name: 'Demo account' },
  { id: PARTNER_ACCOUNT, name: 'Partner account' },
];

const INSTANCES: InstanceRecord[] = [
  {
    id: 'kp-us-south',
    name: 'keyhaven-key-protect',
    provider: 'key-protect',
    region: 'us-south',
    accountId: DEMO_ACCOUNT,
  },
  {
    id: 'hpcs-us-south',
    name: 'keyhaven-hpcs',
    provider: 'hyper-protect-crypto-services',
    region: 'us-south',
    accountId: DEMO_ACCOUNT,
  },
  {
    id: 'kp-partner-eu-de',
    name: 'partner-key-protect',
    provider: 'key-protect',
    region: 'eu-de',
    accountId: PARTNER_ACCOUNT,
  },
];

/**
 * The partner account lets Kubernetes Service of the demo account use its Key Protect instance,
 * so cross-account enablement (R11) works out of the box through the API and the CLI.
 */
function partnerAuthorization(created: string): AuthorizationRecord {
  return {
    id: randomUUID(),
    source: { accountId: DEMO_ACCOUNT, serviceName: 'containers-kubernetes' },
    target: {
      accountId: PARTNER_ACCOUNT,
      serviceName: 'key-protect',
      instanceId: 'kp-partner-eu-de',
      instanceName: 'partner-key-protect',
    },
    roles: ['Reader'],
    delegation: false,
    createdAt: created,
    createdBy: 'partner-admin',
  };
}

/**
 * admin (every cluster and instance), viewer (read only), and approver: a second Manager of the
 * demo instances, so that a key under dual authorization can be deleted by two people.
 */
function demoUsers(passwordHash: string): UserRecord[] {
  return [
    {
      id: 'user-admin',
      username: 'admin',
      accountId: DEMO_ACCOUNT,
      passwordHash,
      apiKeys: [],
      platformRoles: [{ clusterId: '*', role: 'Administrator' }],
      serviceRoles: [{ instanceId: '*', role: 'Manager' }],
    },
    {
      id: 'user-viewer',
      username: 'viewer',
      accountId: DEMO_ACCOUNT,
      passwordHash,
      apiKeys: [],
      platformRoles: [{ clusterId: '*', role: 'Viewer' }],
      serviceRoles: [
        { instanceId: 'kp-us-south', role: 'Reader' },
        { instanceId: 'hpcs-us-south', role: 'Reader' },
      ],
    },
    {
      id: 'user-approver',
      username: 'approver',
      accountId: DEMO_ACCOUNT,
      passwordHash,
      apiKeys: [],
      platformRoles: [{ clusterId: '*', role: 'Viewer' }],
      serviceRoles: [
        { instanceId: 'kp-us-south', role: 'Manager' },
        { instanceId: 'hpcs-us-south', role: 'Manager' },
      ],
    },
  ];
}

const splitAt = <T>(list: T[], n: number): [T[], T[]] => [list.slice(0, n), list.slice(n)];

function demoClusters(created: string, extra: number): ClusterRecord[] {
  const ready = { message: 'Ready', health: 'normal' as const, modifiedDate: created };
  const fleet = Array.from({ length: extra }, (_, i) => {
    const name = `fleet-${String(i + 1).padStart(3, '0')}-us-south`;
    return [name, 'Dallas 13', '1.31.4', `c-${name}`];
  });
  return [
    ['prod-us-south', 'Dallas 10', '1.31.4', 'c-prod-us-south'],
    ['staging-us-south', 'Dallas 12', '1.31.4', 'c-staging-us-south'],
    ['dev-us-east', 'Washington DC 1', '1.30.8', 'c-dev-us-east'],
    ...fleet,
  ].map(([name = '', location = '', version = '', id = '']) => ({
    id,
    name,
    region: name.endsWith('us-east') ? 'us-east' : 'us-south',
    location,
    version,
    accountId: DEMO_ACCOUNT,
    createdDate: created,
    status: ready,
    kms: null,
    previousCrkIds: [],
  }));
}

/**
 * Root keys in every instance: three usable ones, one expiring in 10 days and one disabled in each
 * of the demo account's instances, and one in the partner's, which the admin may use only through
 * the API (R11).
 */
async function seedRootKeys(engine: Engine, password: string, now: Date): Promise<void> {
  const { store } = engine.ctx;
  const admin = await engine.iam.authenticate(
    `Bearer ${(await engine.iam.token({ grant_type: 'password', username: 'admin', password })).access_token}`,
  );
  const partnerRole = { instanceId: 'kp-partner-eu-de', role: 'Manager' as const };
  const adminWithPartner = { ...admin, serviceRoles: [...admin.serviceRoles, partnerRole] };
  const adminRecord = await getDoc<UserRecord>(store, StoreKey.user(admin.id));
  if (!adminRecord) throw new Error('the demo admin was not written');
  await store.txn(
    [],
    [
      {
        type: 'put',
        key: StoreKey.user(admin.id),
        value: json({ ...adminRecord.value, serviceRoles: adminWithPartner.serviceRoles }),
      },
    ],
  );
  for (const instance of INSTANCES) {
    const own = instance.accountId === DEMO_ACCOUNT;
    const names = own
      ? ['cluster-root-key-1', 'cluster-root-key-2', 'cluster-root-key-3']
      : ['partner-root-key-1'];
    for (const name of names) await engine.keys.create(adminWithPartner, instance.id, { name });
    if (!own) continue;
    await engine.keys.create(adminWithPartner, instance.id, {
      name: 'expiring-root-key',
      expirationDate: new Date(now.getTime() + 10 * DAY).toISOString(),
    });
    const disabled = await engine.keys.create(adminWithPartner, instance.id, {
      name: 'disabled-root-key',
    });
    await engine.keyLifecycle.setEnabled(adminWithPartner, instance.id, disabled.id, false);
  }
}

/**
 * Seeds the demo account once: users admin, viewer and approver, a Key Protect and an HPCS instance with
 * root keys, clusters without KMS (one with many secrets), and an instance in a partner account.
 */
export async function seedDemo(engine: Engine, options: DemoOptions): Promise<boolean> {
  const { store, clock } = engine.ctx;
  if (await store.get(MARKER)) return false;
  const now = clock.now();
  const created = now.toISOString();
  const put = (key: string, value: unknown): Op => ({ type: 'put', key, value: json(value) });
  const users = demoUsers(await hashPassword(options.password));
  const [named, fleet] = splitAt(demoClusters(created, options.extraClusters ?? 0), 3);
  // A large fleet goes in transactions of its own: etcd takes at most 128 operations in one.
  for (let i = 0; i < fleet.length; i += 100)
    await store.txn(
      [],
      fleet.slice(i, i + 100).map((c) => put(StoreKey.cluster(c.id), c)),
    );
  await store.txn(
    [],
    [
      ...ACCOUNTS.map((a) => put(StoreKey.account(a.id), a)),
      ...INSTANCES.map((i) => put(StoreKey.instance(i.id), i)),
      ...users.map((u) => put(StoreKey.user(u.id), u)),
      ...named.map((c) => put(StoreKey.cluster(c.id), c)),
      put(
        StoreKey.authorization(DEMO_ACCOUNT, 'key-protect', 'kp-partner-eu-de'),
        partnerAuthorization(created),
      ),
    ],
  );
  await seedRootKeys(engine, options.password, now);
  await seedSecrets(engine, 'c-prod-us-south', options.bigClusterSecrets ?? 20_000);
  await seedSecrets(engine, 'c-staging-us-south', 40);
  await seedSecrets(engine, 'c-dev-us-east', 12);
  await store.txn([], [put(MARKER, { at: created, id: randomUUID() })]);
  return true;
}

const NAMESPACES = ['default', 'kube-system', 'payments', 'web'];

/** Writes plain (identity) secrets, as a cluster has before KMS is enabled. */
export async function seedSecrets(engine: Engine, clusterId: string, count: number): Promise<void> {
  const { store } = engine.ctx;
  const batch = Math.min(1000, store.maxTxnOps);
  for (let start = 0; start < count; start += batch) {
    const ops: Op[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const namespace = NAMESPACES[i % NAMESPACES.length] ?? 'default';
      const name = `app-secret-${String(i).padStart(5, '0')}`;
      const object = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace },
        type: 'Opaque',
        data: { password: Buffer.from(`demo-value-${clusterId}-${i}`).toString('base64') },
      };
      ops.push({
        type: 'put',
        key: StoreKey.secret(clusterId, namespace, name),
        value: json(object),
      });
    }
    await store.txn([], ops);
  }
}
