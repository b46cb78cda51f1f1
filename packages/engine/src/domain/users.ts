import { createHash, randomUUID } from 'node:crypto';
import {
  ALL_RESOURCES,
  grantOf,
  isAccountAdministrator,
  normalizeUsername,
  policyOf,
  type AccessGrant,
  type AccessPolicy,
  type AccessPolicyRequest,
  type User,
  type UserCreate,
} from '@keyhaven/contracts';
import type { Compare, Op } from '../store/types.ts';
import type { Activity } from './activity.ts';
import { getDoc, json, listDocs, type Doc, type EngineContext } from './context.ts';
import { EngineError, conflict, notFound } from './errors.ts';
import type { Principal } from './iam.ts';
import { hashPassword } from './passwords.ts';
import { StoreKey, type ClusterRecord, type InstanceRecord, type UserRecord } from './records.ts';

/** An account Administrator: Administrator on every cluster of its account. */
const isAdministrator = (user: Pick<UserRecord, 'platformRoles' | 'accountId'>) =>
  isAccountAdministrator(user, user.accountId);

const toUser = (u: UserRecord): User => ({
  id: u.id,
  username: u.username,
  accountId: u.accountId,
  ...(u.createdAt && { createdAt: u.createdAt }),
  ...(u.createdBy && { createdBy: u.createdBy }),
  platformRoles: u.platformRoles,
  serviceRoles: u.serviceRoles,
  administrator: isAdministrator(u),
});

/** Every grant of a user, as IAM access policies would name them. */
function grantsOf(user: UserRecord): AccessGrant[] {
  return [
    ...user.serviceRoles.map((grant) => ({ service: 'kms' as const, userId: user.id, grant })),
    ...user.platformRoles.map((grant) => ({
      service: 'containers-kubernetes' as const,
      userId: user.id,
      grant,
    })),
  ];
}

const resourceOf = (g: AccessGrant) =>
  g.service === 'kms' ? g.grant.instanceId : g.grant.clusterId;

/** A grant's policy id: the same user, service and resource give the same id. */
export const accessPolicyId = (g: AccessGrant) =>
  createHash('sha256')
    .update(`${g.userId}\0${g.service}\0${resourceOf(g)}`)
    .digest('base64url')
    .slice(0, 22);

/**
 * Runs a read-check-write again when another change to the account's users came between (an
 * API key made, another grant): the checks then see what is true now. Three tries.
 */
async function retried<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof EngineError && err.code === 'CONCURRENT_CHANGE') || tries >= 3)
        throw err;
    }
  }
}

const lastAdministrator = (username: string) =>
  conflict(
    'LAST_ADMINISTRATOR',
    `${username} is the account's last Administrator: make another user Administrator on every cluster first.`,
  );

/**
 * The account's users and their roles, as IBM Cloud IAM's users and access policies: only an
 * account Administrator manages them, and the account always keeps one. Grants are read at each
 * request, so a change applies to the user's next call; a removed user's tokens stop working.
 */
export class Users {
  constructor(
    private readonly ctx: EngineContext,
    private readonly activity: Activity,
  ) {}

  private requireAdministrator(principal: Principal) {
    if (principal.plugin || !isAdministrator(principal))
      throw new EngineError(
        403,
        'FORBIDDEN',
        "Managing users takes the Administrator platform role on every cluster of the account (clusterId '*').",
        { requiredRole: 'Administrator', resource: { kind: 'cluster', id: ALL_RESOURCES } },
      );
  }

  /** The account's people (not the plug-in identities of connected clusters). */
  private async accountUsers(accountId: string): Promise<Doc<UserRecord>[]> {
    const all = await listDocs<UserRecord>(this.ctx.store, StoreKey.users);
    return all.filter((d) => d.value.accountId === accountId && !d.value.pluginOf);
  }

  async list(principal: Principal): Promise<User[]> {
    this.requireAdministrator(principal);
    const users = await this.accountUsers(principal.accountId);
    return users.map((d) => toUser(d.value)).sort((a, b) => a.username.localeCompare(b.username));
  }

  async create(principal: Principal, input: UserCreate): Promise<User> {
    this.requireAdministrator(principal);
    const normalized = normalizeUsername(input.username);
    const everyone = await listDocs<UserRecord>(this.ctx.store, StoreKey.users);
    // Usernames log in without an account: they are unique across accounts.
    if (everyone.some((d) => normalizeUsername(d.value.username) === normalized))
      throw conflict('USERNAME_TAKEN', `The username ${normalized} is taken.`);
    const now = this.ctx.clock.now().toISOString();
    const record: UserRecord = {
      id: `user-${randomUUID()}`,
      username: normalized,
      accountId: principal.accountId,
      passwordHash: await hashPassword(input.password),
      apiKeys: [],
      platformRoles: [],
      serviceRoles: [],
      createdAt: now,
      createdBy: principal.username,
    };
    const { succeeded } = await this.ctx.store.txn(
      [
        { key: StoreKey.user(record.id), modRevision: 0 },
        { key: StoreKey.username(normalized), modRevision: 0 },
      ],
      [
        { type: 'put', key: StoreKey.user(record.id), value: json(record) },
        { type: 'put', key: StoreKey.username(normalized), value: json({ userId: record.id }) },
        ...this.entry(principal, `Invited ${normalized} to the account.`),
      ],
    );
    if (!succeeded) throw conflict('USERNAME_TAKEN', `The username ${normalized} is taken.`);
    return toUser(record);
  }

  async remove(principal: Principal, userId: string): Promise<void> {
    this.requireAdministrator(principal);
    return retried(() => this.removeOnce(principal, userId));
  }

  private async removeOnce(principal: Principal, userId: string): Promise<void> {
    const users = await this.accountUsers(principal.accountId);
    const target = users.find((d) => d.value.id === userId);
    if (!target) throw notFound('User', userId);
    const user = target.value;
    await this.write(
      users,
      user,
      undefined,
      [
        { type: 'delete', key: StoreKey.user(user.id) },
        { type: 'delete', key: StoreKey.username(normalizeUsername(user.username)) },
      ],
      this.entry(principal, `Removed ${user.username} from the account.`),
    );
  }

  async policies(principal: Principal, iamId?: string): Promise<AccessPolicy[]> {
    this.requireAdministrator(principal);
    const users = await this.accountUsers(principal.accountId);
    return users
      .map((d) => d.value)
      .filter((u) => iamId === undefined || u.id === iamId)
      .sort((a, b) => a.username.localeCompare(b.username))
      .flatMap(grantsOf)
      .map((g) => policyOf(accessPolicyId(g), g));
  }

  /** Grants the role on the resource, replacing the user's role there. */
  async grant(principal: Principal, request: AccessPolicyRequest): Promise<AccessPolicy> {
    this.requireAdministrator(principal);
    return retried(() => this.grantOnce(principal, request));
  }

  private async grantOnce(principal: Principal, request: AccessPolicyRequest) {
    const wanted = grantOf(request);
    const users = await this.accountUsers(principal.accountId);
    const target = users.find((d) => d.value.id === wanted.userId);
    if (!target) throw notFound('User', wanted.userId);
    await this.requireResource(principal.accountId, wanted);
    const user = target.value;
    const next: UserRecord =
      wanted.service === 'kms'
        ? {
            ...user,
            serviceRoles: [
              ...user.serviceRoles.filter((g) => g.instanceId !== wanted.grant.instanceId),
              wanted.grant,
            ],
          }
        : {
            ...user,
            platformRoles: [
              ...user.platformRoles.filter((g) => g.clusterId !== wanted.grant.clusterId),
              wanted.grant,
            ],
          };
    const where = resourceOf(wanted) === ALL_RESOURCES ? 'every' : resourceOf(wanted);
    await this.write(
      users,
      user,
      next,
      [],
      this.entry(
        principal,
        `Granted ${user.username} ${wanted.grant.role} on ${wanted.service === 'kms' ? 'KMS instance' : 'cluster'} ${where === 'every' ? `(every ${wanted.service === 'kms' ? 'instance' : 'cluster'})` : where}.`,
      ),
    );
    return policyOf(accessPolicyId(wanted), wanted);
  }

  async revoke(principal: Principal, policyId: string): Promise<void> {
    this.requireAdministrator(principal);
    return retried(() => this.revokeOnce(principal, policyId));
  }

  private async revokeOnce(principal: Principal, policyId: string): Promise<void> {
    const users = await this.accountUsers(principal.accountId);
    for (const { value: user } of users) {
      const found = grantsOf(user).find((g) => accessPolicyId(g) === policyId);
      if (!found) continue;
      const next: UserRecord =
        found.service === 'kms'
          ? { ...user, serviceRoles: user.serviceRoles.filter((g) => g !== found.grant) }
          : { ...user, platformRoles: user.platformRoles.filter((g) => g !== found.grant) };
      await this.write(
        users,
        user,
        next,
        [],
        this.entry(
          principal,
          `Revoked ${user.username}'s ${found.grant.role} on ${resourceOf(found)}.`,
        ),
      );
      return;
    }
    throw notFound('Access policy', policyId);
  }

  /** A grant names an instance or a cluster of the account, or all of them. */
  private async requireResource(accountId: string, wanted: AccessGrant) {
    const id = resourceOf(wanted);
    if (id === ALL_RESOURCES) return;
    const doc =
      wanted.service === 'kms'
        ? await getDoc<InstanceRecord>(this.ctx.store, StoreKey.instance(id))
        : await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(id));
    if (doc?.value.accountId !== accountId)
      throw notFound(wanted.service === 'kms' ? 'KMS instance' : 'Cluster', id);
  }

  /**
   * Changes (`next`) or removes (`undefined`) one user, refusing to leave the account without an
   * Administrator. Every Administrator's record is compared as read: two Administrators removing
   * each other at once cannot both succeed.
   */
  private async write(
    users: Doc<UserRecord>[],
    user: UserRecord,
    next: UserRecord | undefined,
    ops: Op[],
    entry: Op[],
  ) {
    const admins = users.filter((d) => isAdministrator(d.value));
    const remaining = admins.filter((d) => d.value.id !== user.id).length;
    if (isAdministrator(user) && !(next && isAdministrator(next)) && remaining === 0)
      throw lastAdministrator(user.username);
    const read = users.find((d) => d.value.id === user.id);
    const compares: Compare[] = [...admins, ...(read && !admins.includes(read) ? [read] : [])].map(
      (d) => ({ key: StoreKey.user(d.value.id), modRevision: d.modRevision }),
    );
    const { succeeded } = await this.ctx.store.txn(compares, [
      ...(next ? [{ type: 'put' as const, key: StoreKey.user(user.id), value: json(next) }] : []),
      ...ops,
      ...entry,
    ]);
    if (!succeeded)
      throw conflict('CONCURRENT_CHANGE', 'The account’s users changed meanwhile; try again.');
  }

  private entry(principal: Principal, message: string): Op[] {
    return this.activity.ops({
      accountId: principal.accountId,
      actor: principal.username,
      action: 'account.user',
      target: { kind: 'account', id: principal.accountId },
      result: 'success',
      message,
    });
  }
}
