import { randomUUID } from 'node:crypto';
import {
  KeyState,
  POLICY_MEDIA_TYPE,
  nextRotationDate,
  type InstancePolicy,
  type DualAuthSetting,
  type KeyPolicy,
  type RotationSetting,
} from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import { updateDoc, type EngineContext } from './context.ts';
import { conflict } from './errors.ts';
import { requireServiceRole, type Principal } from './iam.ts';
import type { Keys } from './keys.ts';
import {
  StoreKey,
  type InstanceRecord,
  type PolicyRecord,
  type RootKeyRecord,
  type RotationPolicyRecord,
} from './records.ts';

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * Key Protect's rotation policies: a key's own (the engine rotates the key when it is due, see
 * the reconcile sweep) and its instance's, the default of every key created after it. Setting a
 * policy needs Manager on the instance, as in Key Protect; reading one needs Reader.
 */
export class KeyPolicies {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly activity: Activity,
  ) {}

  async setKeyRotation(
    principal: Principal,
    instanceId: string,
    keyId: string,
    setting: RotationSetting,
  ): Promise<RootKeyRecord> {
    const { key } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was deleted; it has no policies.`);
    return updateDoc<RootKeyRecord>(
      this.ctx.store,
      StoreKey.key(key.id),
      (k) => ({
        ...k,
        policies: { ...k.policies, rotation: this.next(k.policies?.rotation, setting, principal) },
      }),
      (next) => [
        this.activity.op({
          actor: principal.username,
          action: 'key.policy',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: describeKeyRotation(next),
        }),
      ],
    );
  }

  async setInstanceRotation(
    principal: Principal,
    instanceId: string,
    setting: RotationSetting,
  ): Promise<InstanceRecord> {
    const instance = await this.keys.instance(instanceId);
    requireServiceRole(principal, instance, 'Manager');
    return updateDoc<InstanceRecord>(
      this.ctx.store,
      StoreKey.instance(instance.id),
      (i) => ({
        ...i,
        policies: { ...i.policies, rotation: this.next(i.policies?.rotation, setting, principal) },
      }),
      () => [
        this.activity.op({
          actor: principal.username,
          action: 'instance.policy',
          target: { kind: 'instance', id: instance.id },
          result: 'success',
          message: setting.enabled
            ? `Set the rotation policy of KMS instance ${instance.name}: keys created from now on rotate every ${months(setting.interval_month ?? 0)}.`
            : `Disabled the rotation policy of KMS instance ${instance.name}: keys created from now on have none.`,
        }),
      ],
    );
  }

  /**
   * Dual authorization to delete: once on, deleting the key takes two Managers (one authorizes,
   * another deletes within 7 days), and it cannot be turned off.
   */
  async setKeyDualAuth(
    principal: Principal,
    instanceId: string,
    keyId: string,
    setting: DualAuthSetting,
  ): Promise<RootKeyRecord> {
    const { key } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was deleted; it has no policies.`);
    const current = key.policies?.dualAuthDelete;
    if (current?.enabled && !setting.enabled)
      throw conflict(
        'POLICY_LOCKED',
        `Dual authorization to delete root key ${key.name} is on; once on, it cannot be turned off.`,
      );
    return updateDoc<RootKeyRecord>(
      this.ctx.store,
      StoreKey.key(key.id),
      (k) => ({
        ...k,
        policies: {
          ...k.policies,
          dualAuthDelete: this.next(k.policies?.dualAuthDelete, setting, principal),
        },
      }),
      () => [
        this.activity.op({
          actor: principal.username,
          action: 'key.policy',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: setting.enabled
            ? `Turned on dual authorization to delete root key ${key.name}: deleting it takes two Managers.`
            : `Left dual authorization to delete root key ${key.name} off.`,
        }),
      ],
    );
  }

  /** The instance's dual-authorization default for keys created after it (it may be turned off). */
  async setInstanceDualAuth(
    principal: Principal,
    instanceId: string,
    setting: DualAuthSetting,
  ): Promise<InstanceRecord> {
    const instance = await this.keys.instance(instanceId);
    requireServiceRole(principal, instance, 'Manager');
    return updateDoc<InstanceRecord>(
      this.ctx.store,
      StoreKey.instance(instance.id),
      (i) => ({
        ...i,
        policies: {
          ...i.policies,
          dualAuthDelete: this.next(i.policies?.dualAuthDelete, setting, principal),
        },
      }),
      () => [
        this.activity.op({
          actor: principal.username,
          action: 'instance.policy',
          target: { kind: 'instance', id: instance.id },
          result: 'success',
          message: `${setting.enabled ? 'Turned on' : 'Turned off'} dual authorization to delete for keys created from now on in KMS instance ${instance.name}.`,
        }),
      ],
    );
  }

  /** A key's policies as Key Protect lists them. */
  keyPolicies(key: RootKeyRecord): KeyPolicy[] {
    const { rotation, dualAuthDelete } = key.policies ?? {};
    const shown = (policy: PolicyRecord): Omit<KeyPolicy, 'rotation' | 'dualAuthDelete'> => ({
      id: policy.id,
      crn: `crn:v1:keyhaven:public:kms:${key.instanceId}:policy:${policy.id}`,
      type: POLICY_MEDIA_TYPE,
      createdBy: policy.createdBy,
      creationDate: policy.creationDate,
      updatedBy: policy.updatedBy,
      lastUpdateDate: policy.lastUpdateDate,
    });
    return [
      ...(rotation
        ? [
            {
              ...shown(rotation),
              rotation: {
                enabled: rotation.enabled,
                ...(rotation.intervalMonth !== undefined && {
                  interval_month: rotation.intervalMonth,
                }),
              },
            },
          ]
        : []),
      ...(dualAuthDelete
        ? [{ ...shown(dualAuthDelete), dualAuthDelete: { enabled: dualAuthDelete.enabled } }]
        : []),
    ];
  }

  /** An instance's policies as Key Protect lists them. */
  async instancePolicies(principal: Principal, instanceId: string): Promise<InstancePolicy[]> {
    const instance = await this.keys.instance(instanceId);
    requireServiceRole(principal, instance, 'Reader');
    const { rotation, dualAuthDelete } = instance.policies ?? {};
    const shown = (policy: PolicyRecord) => ({
      createdBy: policy.createdBy,
      creationDate: policy.creationDate,
      updatedBy: policy.updatedBy,
      lastUpdated: policy.lastUpdateDate,
    });
    return [
      ...(rotation
        ? [
            {
              policy_type: 'rotation' as const,
              policy_data: {
                enabled: rotation.enabled,
                ...(rotation.intervalMonth !== undefined && {
                  attributes: { interval_month: rotation.intervalMonth },
                }),
              },
              ...shown(rotation),
            },
          ]
        : []),
      ...(dualAuthDelete
        ? [
            {
              policy_type: 'dualAuthDelete' as const,
              policy_data: { enabled: dualAuthDelete.enabled },
              ...shown(dualAuthDelete),
            },
          ]
        : []),
    ];
  }

  /** The policy after `setting`: a disabled one keeps its interval, so enabling it again may omit it. */
  private next(
    current: RotationPolicyRecord | undefined,
    setting: RotationSetting | DualAuthSetting,
    principal: Principal,
  ): RotationPolicyRecord {
    const now = this.ctx.clock.now().toISOString();
    const asked = 'interval_month' in setting ? setting.interval_month : undefined;
    const intervalMonth = asked ?? current?.intervalMonth;
    return {
      id: current?.id ?? randomUUID(),
      enabled: setting.enabled,
      ...(intervalMonth !== undefined && { intervalMonth }),
      createdBy: current?.createdBy ?? principal.username,
      creationDate: current?.creationDate ?? now,
      updatedBy: principal.username,
      lastUpdateDate: now,
    };
  }
}

/** The months between rotations of an enabled policy; undefined for none or a disabled one. */
const activeInterval = (policy: RotationPolicyRecord | undefined) =>
  policy?.enabled ? policy.intervalMonth : undefined;

/** "1 month", "3 months". */
export const months = (n: number) => `${n} month${n === 1 ? '' : 's'}`;

/** The dual-authorization policy a key is created with: on when its instance's is. */
export function inheritedDualAuth(
  instance: InstanceRecord,
  actor: string,
  now: Date,
): PolicyRecord | undefined {
  if (!instance.policies?.dualAuthDelete?.enabled) return undefined;
  const at = now.toISOString();
  return {
    id: randomUUID(),
    enabled: true,
    createdBy: actor,
    creationDate: at,
    updatedBy: actor,
    lastUpdateDate: at,
  };
}

/** The rotation policy a key is created with: its instance's, when one is enabled. */
export function inheritedRotation(
  instance: InstanceRecord,
  actor: string,
  now: Date,
): RotationPolicyRecord | undefined {
  const intervalMonth = activeInterval(instance.policies?.rotation);
  if (intervalMonth === undefined) return undefined;
  return {
    id: randomUUID(),
    enabled: true,
    intervalMonth,
    createdBy: actor,
    creationDate: now.toISOString(),
    updatedBy: actor,
    lastUpdateDate: now.toISOString(),
  };
}

/** When the key's rotation policy rotates it next, and every how many months; undefined without one. */
export function policyRotation(
  key: RootKeyRecord,
): { due: Date; intervalMonth: number } | undefined {
  const intervalMonth = activeInterval(key.policies?.rotation);
  if (intervalMonth === undefined) return undefined;
  return { due: nextRotationDate(key, intervalMonth), intervalMonth };
}

function describeKeyRotation(key: RootKeyRecord): string {
  const policy = policyRotation(key);
  if (!policy) return `Disabled the rotation policy of root key ${key.name}.`;
  return `Set the rotation policy of root key ${key.name}: every ${months(policy.intervalMonth)}, next on ${day(policy.due)}.`;
}
