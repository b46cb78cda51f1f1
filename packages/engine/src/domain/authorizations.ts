import { randomUUID } from 'node:crypto';
import {
  SOURCE_SERVICE,
  authorizes,
  isAccountAdministrator,
  providerLabel,
  sourceServiceLabel,
  type AuthorizationPolicy,
  type AuthorizationPolicyCreate,
} from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import { getDoc, json, listDocs, type EngineContext } from './context.ts';
import { EngineError, badRequest, conflict, notFound } from './errors.ts';
import type { Principal } from './iam.ts';
import type { Keys } from './keys.ts';
import {
  StoreKey,
  type AuthorizationRecord,
  type ClusterRecord,
  type InstanceRecord,
} from './records.ts';

/** What the master does when an authorization comes or goes: its clusters' status follows. */
export interface AuthorizationListener {
  authorizationsChanged(): Promise<void>;
}

/** Records written before policies had their IAM shape (one Reader grant per instance). */
interface LegacyRecord {
  id: string;
  sourceAccountId: string;
  targetInstanceId: string;
  createdAt: string;
}

const isLegacy = (record: object): record is LegacyRecord => 'sourceAccountId' in record;

const describe = (record: AuthorizationRecord) =>
  `${sourceServiceLabel} (account ${record.source.accountId}) to ${record.target.instanceName ?? `every ${providerLabel[record.target.serviceName]} instance`} (account ${record.target.accountId})`;

const forbidden = (accountId: string) =>
  new EngineError(
    403,
    'FORBIDDEN',
    `Managing service authorizations to account ${accountId} needs the Administrator role across that account.`,
    { requiredRole: 'Administrator', resource: { kind: 'account', id: accountId } },
  );

/**
 * Service-to-service authorizations (seed 003): Kubernetes Service in a source account may use a
 * KMS instance (or every instance of a KMS service) in a target account. Enabling KMS needs one
 * (R10, R11); the master warns on clusters that lost theirs.
 */
export class Authorizations {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly activity: Activity,
    private readonly listener: () => AuthorizationListener | undefined,
  ) {}

  /** Every policy in the store, legacy ones read in today's shape. */
  async records(): Promise<(AuthorizationRecord & { key: string })[]> {
    const docs = await listDocs<AuthorizationRecord | LegacyRecord>(
      this.ctx.store,
      StoreKey.authorizations,
    );
    const records: (AuthorizationRecord & { key: string })[] = [];
    for (const { value } of docs) {
      if (isLegacy(value)) {
        const record = await this.upgrade(value);
        const key = `${StoreKey.authorizations}${value.sourceAccountId}/${value.targetInstanceId}`;
        if (record) records.push({ ...record, key });
        continue;
      }
      const { source, target } = value;
      records.push({
        ...value,
        key: StoreKey.authorization(source.accountId, target.serviceName, target.instanceId),
      });
    }
    return records;
  }

  private async upgrade(legacy: LegacyRecord): Promise<AuthorizationRecord | undefined> {
    const instance = await getDoc<InstanceRecord>(
      this.ctx.store,
      StoreKey.instance(legacy.targetInstanceId),
    );
    if (!instance) return undefined;
    return {
      id: legacy.id,
      source: { accountId: legacy.sourceAccountId, serviceName: SOURCE_SERVICE },
      target: {
        accountId: instance.value.accountId,
        serviceName: instance.value.provider,
        instanceId: instance.value.id,
        instanceName: instance.value.name,
      },
      roles: ['Reader'],
      delegation: false,
      createdAt: legacy.createdAt,
      createdBy: 'system',
    };
  }

  /** The policy that lets Kubernetes Service of the account use the instance, if there is one. */
  async find(sourceAccountId: string, instance: InstanceRecord) {
    return (await this.records()).find((p) => authorizes(p, sourceAccountId, instance));
  }

  /** Policies whose source or target is the caller's account, with the clusters using each. */
  async list(principal: Principal): Promise<AuthorizationPolicy[]> {
    const mine = (await this.records()).filter(
      (p) =>
        p.source.accountId === principal.accountId || p.target.accountId === principal.accountId,
    );
    const clusters = (await listDocs<ClusterRecord>(this.ctx.store, StoreKey.clusters)).map(
      (d) => d.value,
    );
    const instances = new Map(
      (await listDocs<InstanceRecord>(this.ctx.store, StoreKey.instances)).map((d) => [
        d.value.id,
        d.value,
      ]),
    );
    return mine.map(({ key: _key, ...policy }) => ({
      ...policy,
      dependents: clusters
        .filter((c) => {
          const instance = c.kms && instances.get(c.kms.instanceId);
          return (
            instance &&
            c.accountId === principal.accountId &&
            authorizes(policy, c.accountId, instance)
          );
        })
        .map((c) => ({ id: c.id, name: c.name })),
    }));
  }

  async create(principal: Principal, input: AuthorizationPolicyCreate, actor = principal.username) {
    const instance = input.target.instanceId
      ? await this.targetInstance(principal, input.target.instanceId)
      : undefined;
    if (instance && instance.provider !== input.target.serviceName)
      throw badRequest(
        'INVALID_REQUEST',
        `body.target.instanceId: ${instance.name} is a ${providerLabel[instance.provider]} instance, not ${providerLabel[input.target.serviceName]}.`,
        { field: 'target.instanceId' },
      );
    const targetAccount = instance?.accountId ?? principal.accountId;
    if (!isAccountAdministrator(principal, targetAccount)) throw forbidden(targetAccount);
    const sourceAccount = input.source.accountId ?? principal.accountId;
    if (!(await getDoc(this.ctx.store, StoreKey.account(sourceAccount))))
      throw badRequest(
        'INVALID_REQUEST',
        `body.source.accountId: there is no account ${sourceAccount}.`,
        {
          field: 'source.accountId',
        },
      );
    return this.write(
      {
        id: randomUUID(),
        source: { accountId: sourceAccount, serviceName: SOURCE_SERVICE },
        target: {
          accountId: targetAccount,
          serviceName: input.target.serviceName,
          instanceId: instance?.id ?? null,
          instanceName: instance?.name ?? null,
        },
        roles: input.roles,
        delegation: input.delegation,
        createdAt: this.ctx.clock.now().toISOString(),
        createdBy: actor,
      },
      actor,
    );
  }

  /**
   * The target instance, as missing unless it is in the caller's account or one they administer:
   * whether an instance exists in another account is not told (one answer for both, issue 25).
   */
  private async targetInstance(principal: Principal, instanceId: string): Promise<InstanceRecord> {
    const instance = await this.keys.instance(instanceId).catch(() => undefined);
    const visible =
      instance &&
      (instance.accountId === principal.accountId ||
        isAccountAdministrator(principal, instance.accountId));
    if (!visible) throw notFound('KMS instance', instanceId);
    return instance;
  }

  /** The Reader authorization that enabling KMS in the cluster's own account makes once (R10). */
  async ensure(sourceAccountId: string, instance: InstanceRecord, actor: string): Promise<void> {
    if (await this.find(sourceAccountId, instance)) return;
    await this.write(
      {
        id: randomUUID(),
        source: { accountId: sourceAccountId, serviceName: SOURCE_SERVICE },
        target: {
          accountId: instance.accountId,
          serviceName: instance.provider,
          instanceId: instance.id,
          instanceName: instance.name,
        },
        roles: ['Reader'],
        delegation: false,
        createdAt: this.ctx.clock.now().toISOString(),
        createdBy: actor,
      },
      actor,
    ).catch((err: unknown) => {
      // Another request made the same authorization a moment ago: that is what was wanted.
      if (!(err instanceof EngineError && err.code === 'AUTHORIZATION_EXISTS')) throw err;
    });
  }

  private async write(record: AuthorizationRecord, actor: string): Promise<AuthorizationRecord> {
    const { source, target } = record;
    const key = StoreKey.authorization(source.accountId, target.serviceName, target.instanceId);
    const existing = await this.records();
    const duplicate = existing.some(
      (p) =>
        p.key === key ||
        (p.source.accountId === source.accountId &&
          p.target.serviceName === target.serviceName &&
          p.target.instanceId === target.instanceId),
    );
    const { succeeded } = duplicate
      ? { succeeded: false }
      : await this.ctx.store.txn(
          [{ key, modRevision: 0 }],
          [
            { type: 'put', key, value: json(record) },
            ...this.activity.ops({
              accountId: record.target.accountId,
              actor,
              action: 'authorization.create',
              target: { kind: 'instance', id: target.instanceId ?? `all:${target.serviceName}` },
              result: 'success',
              message: `Created the ${record.roles.join(', ')} service-to-service authorization from ${describe(record)}.`,
            }),
          ],
        );
    if (!succeeded)
      throw conflict(
        'AUTHORIZATION_EXISTS',
        `An authorization from ${describe(record)} already exists.`,
      );
    await this.listener()?.authorizationsChanged();
    return record;
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const record = (await this.records()).find((p) => p.id === id);
    if (
      !record ||
      (record.source.accountId !== principal.accountId &&
        record.target.accountId !== principal.accountId)
    )
      throw notFound('Authorization', id);
    if (!isAccountAdministrator(principal, record.target.accountId))
      throw forbidden(record.target.accountId);
    const affected = await this.dependents(record);
    const { succeeded } = await this.ctx.store.txn(
      [],
      [
        { type: 'delete', key: record.key },
        // Each cluster that used it says so in its own activity (issue 30: it never did).
        ...affected.flatMap((c) =>
          this.activity.ops({
            accountId: c.accountId,
            actor: principal.username,
            action: 'authorization.delete',
            target: { kind: 'cluster', id: c.id },
            result: 'success',
            message: `Deleted the authorization from ${describe(record)}: the cluster can no longer use its root key until an administrator of account ${record.target.accountId} authorizes it again.`,
          }),
        ),
        ...this.activity.ops({
          accountId: record.target.accountId,
          actor: principal.username,
          action: 'authorization.delete',
          target: {
            kind: 'instance',
            id: record.target.instanceId ?? `all:${record.target.serviceName}`,
          },
          result: 'success',
          message: `Deleted the service-to-service authorization from ${describe(record)}.`,
        }),
      ],
    );
    if (!succeeded) throw notFound('Authorization', id);
    await this.listener()?.authorizationsChanged();
  }

  /** The source account's clusters whose KMS instance this authorization lets them use. */
  private async dependents(record: AuthorizationRecord): Promise<ClusterRecord[]> {
    const clusters = await listDocs<ClusterRecord>(this.ctx.store, StoreKey.clusters);
    const instances = new Map(
      (await listDocs<InstanceRecord>(this.ctx.store, StoreKey.instances)).map((d) => [
        d.value.id,
        d.value,
      ]),
    );
    return clusters
      .map((d) => d.value)
      .filter((c) => {
        const instance = c.kms && instances.get(c.kms.instanceId);
        return (
          instance &&
          c.accountId === record.source.accountId &&
          authorizes(record, c.accountId, instance)
        );
      });
  }
}
