import { randomUUID } from 'node:crypto';
import type { Engine } from './engine.ts';
import { json } from './domain/context.ts';
import { hashPassword } from './domain/iam.ts';
import {
  StoreKey,
  type AccountRecord,
  type InstanceRecord,
  type UserRecord,
} from './domain/records.ts';

export const MAIN_ACCOUNT = 'acct-main';
export const MAIN_INSTANCE = 'kp-main';
const MARKER = '/keyhaven/config/bootstrapped';

export interface BootstrapOptions {
  /** The first administrator's password (user `admin`). */
  password: string;
  accountName: string;
  /** The region the account's Key Protect instance names. */
  region: string;
}

/**
 * An installation without demo data starts with one account, its Key Protect instance and its
 * first administrator (`admin`: Administrator of every cluster, Manager of every instance), who
 * invites the others. Written once, in one transaction; a later start changes nothing (a new
 * password in the file does not reset the administrator's). True when this call wrote it.
 */
export async function bootstrapAccount(
  engine: Engine,
  options: BootstrapOptions,
): Promise<boolean> {
  const { store, clock } = engine.ctx;
  // Once only, and never beside accounts that are already there (demo data, say).
  if ((await store.get(MARKER)) || (await store.count(StoreKey.user(''))) > 0) return false;
  const created = clock.now().toISOString();
  const account: AccountRecord = { id: MAIN_ACCOUNT, name: options.accountName };
  const instance: InstanceRecord = {
    id: MAIN_INSTANCE,
    name: 'key-protect',
    provider: 'key-protect',
    region: options.region,
    accountId: MAIN_ACCOUNT,
  };
  const admin: UserRecord = {
    id: 'user-admin',
    username: 'admin',
    accountId: MAIN_ACCOUNT,
    passwordHash: await hashPassword(options.password),
    apiKeys: [],
    platformRoles: [{ clusterId: '*', role: 'Administrator' }],
    serviceRoles: [{ instanceId: '*', role: 'Manager' }],
    createdAt: created,
    createdBy: 'bootstrap',
  };
  const put = (key: string, value: unknown) => ({ type: 'put' as const, key, value: json(value) });
  const { succeeded } = await store.txn(
    [{ key: MARKER, modRevision: 0 }],
    [
      put(StoreKey.account(account.id), account),
      put(StoreKey.instance(instance.id), instance),
      put(StoreKey.user(admin.id), admin),
      put(MARKER, { at: created, id: randomUUID() }),
    ],
  );
  // Another replica starting at the same moment may have written it first.
  return succeeded;
}
