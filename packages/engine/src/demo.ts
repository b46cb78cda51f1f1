import { randomUUID } from 'node:crypto';
import type { Engine } from './engine.ts';
import { getDoc, json } from './domain/context.ts';
import { hashPassword } from './domain/iam.ts';
import {
  K,
  type AccountRecord,
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
}

/**
 * Seeds the demo account once: users admin and viewer, a Key Protect and an HPCS instance with
 * root keys, clusters without KMS (one with many secrets), and an instance in a partner account.
 */
export async function seedDemo(engine: Engine, options: DemoOptions): Promise<boolean> {
  const { store, clock } = engine.ctx;
  if (await store.get(MARKER)) return false;
  const now = clock.now();
  const put = (key: string, value: unknown): Op => ({ type: 'put', key, value: json(value) });
  const accounts: AccountRecord[] = [
    { id: DEMO_ACCOUNT, name: 'Demo account' },
    { id: PARTNER_ACCOUNT, name: 'Partner account' },
  ];
  const instances: InstanceRecord[] = [
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
  const passwordHash = await hashPassword(options.password);
  const users: UserRecord[] = [
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
  ];
  const created = now.toISOString();
  const ready = { message: 'Ready', health: 'normal' as const, modifiedDate: created };
  const clusters: ClusterRecord[] = [
    ['prod-us-south', 'Dallas 10', '1.31.4', 'c-prod-us-south'],
    ['staging-us-south', 'Dallas 12', '1.31.4', 'c-staging-us-south'],
    ['dev-us-east', 'Washington DC 1', '1.30.8', 'c-dev-us-east'],
  ].map(([name, location, version, id]) => ({
    id: id as string,
    name: name as string,
    region: (name as string).endsWith('us-east') ? 'us-east' : 'us-south',
    location: location as string,
    version: version as string,
    accountId: DEMO_ACCOUNT,
    createdDate: created,
    status: ready,
    kms: null,
    previousCrkIds: [],
  }));
  await store.txn(
    [],
    [
      ...accounts.map((a) => put(K.account(a.id), a)),
      ...instances.map((i) => put(K.instance(i.id), i)),
      ...users.map((u) => put(K.user(u.id), u)),
      ...clusters.map((c) => put(K.cluster(c.id), c)),
    ],
  );
  const admin = await engine.iam.authenticate(
    `Bearer ${(await engine.iam.token({ grant_type: 'password', username: 'admin', password: options.password })).access_token}`,
  );
  // The partner instance is reachable by the admin only through the API (R11).
  const adminWithPartner = {
    ...admin,
    serviceRoles: [
      ...admin.serviceRoles,
      { instanceId: 'kp-partner-eu-de', role: 'Manager' as const },
    ],
  };
  await store.txn(
    [],
    [
      put(K.user(admin.id), {
        ...(await getDoc<UserRecord>(store, K.user(admin.id)))!.value,
        serviceRoles: adminWithPartner.serviceRoles,
      }),
    ],
  );
  for (const instance of instances) {
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
    await engine.controller.setKeyEnabled(adminWithPartner, instance.id, disabled.id, false);
  }
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
      ops.push({ type: 'put', key: K.secret(clusterId, namespace, name), value: json(object) });
    }
    await store.txn([], ops);
  }
}
