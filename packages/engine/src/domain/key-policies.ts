import { randomUUID } from 'node:crypto';
import {
  KeyState,
  POLICY_MEDIA_TYPE,
  months,
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
import { importedKeyRotation, isImported } from './imported-keys.ts';
import {
  StoreKey,
  type InstanceRecord,
  type PoliciesRecord,
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
    return this.onKey(
      principal,
      instanceId,
      keyId,
      'rotation',
      setting,
      describeKeyRotation,
      (key) => {
        if (setting.enabled && isImported(key)) throw importedKeyRotation(key);
      },
    );
  }

  async setInstanceRotation(
    principal: Principal,
    instanceId: string,
    setting: RotationSetting,
  ): Promise<InstanceRecord> {
    return this.onInstance(principal, instanceId, 'rotation', setting, (instance) =>
      setting.enabled
        ? `Set the rotation policy of KMS instance ${instance.name}: keys created from now on rotate every ${months(setting.interval_month ?? 0)}.`
        : `Disabled the rotation policy of KMS instance ${instance.name}: keys created from now on have none.`,
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
    return this.onKey(
      principal,
      instanceId,
      keyId,
      'dualAuthDelete',
      setting,
      (key) =>
        setting.enabled
          ? `Turned on dual authorization to delete root key ${key.name}: deleting it takes two Managers.`
          : `Left dual authorization to delete root key ${key.name} off.`,
      (key) => {
        if (key.policies?.dualAuthDelete?.enabled && !setting.enabled)
          throw conflict(
            'POLICY_LOCKED',
            `Dual authorization to delete root key ${key.name} is on; once on, it cannot be turned off.`,
          );
      },
    );
  }

  /** The instance's dual-authorization default for keys created after it (it may be turned off). */
  async setInstanceDualAuth(
    principal: Principal,
    instanceId: string,
    setting: DualAuthSetting,
  ): Promise<InstanceRecord> {
    return this.onInstance(
      principal,
      instanceId,
      'dualAuthDelete',
      setting,
      (instance) =>
        `${setting.enabled ? 'Turned on' : 'Turned off'} dual authorization to delete for keys created from now on in KMS instance ${instance.name}.`,
    );
  }

  /**
   * Sets one policy of a key (Manager; not on a deleted key): `refuse` may throw to refuse the
   * change, `describe` says what was done, of the key after it.
   */
  private async onKey(
    principal: Principal,
    instanceId: string,
    keyId: string,
    name: keyof PoliciesRecord,
    setting: RotationSetting | DualAuthSetting,
    describe: (key: RootKeyRecord) => string,
    refuse: (key: RootKeyRecord) => void = () => undefined,
  ): Promise<RootKeyRecord> {
    const { key, instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was deleted; it has no policies.`);
    refuse(key);
    return updateDoc<RootKeyRecord>(
      this.ctx.store,
      StoreKey.key(key.id),
      (k) => ({ ...k, policies: this.withPolicy(k.policies, name, setting, principal) }),
      (next) => this.entry(principal, instance, { kind: 'key', id: key.id }, describe(next)),
    );
  }

  /** Sets one policy of an instance: the default of keys created after it (Manager). */
  private async onInstance(
    principal: Principal,
    instanceId: string,
    name: keyof PoliciesRecord,
    setting: RotationSetting | DualAuthSetting,
    describe: (instance: InstanceRecord) => string,
  ): Promise<InstanceRecord> {
    const instance = await this.keys.instance(instanceId);
    requireServiceRole(principal, instance, 'Manager');
    return updateDoc<InstanceRecord>(
      this.ctx.store,
      StoreKey.instance(instance.id),
      (i) => ({ ...i, policies: this.withPolicy(i.policies, name, setting, principal) }),
      () =>
        this.entry(principal, instance, { kind: 'instance', id: instance.id }, describe(instance)),
    );
  }

  private withPolicy(
    policies: PoliciesRecord | undefined,
    name: keyof PoliciesRecord,
    setting: RotationSetting | DualAuthSetting,
    principal: Principal,
  ): PoliciesRecord {
    return { ...policies, [name]: this.next(policies?.[name], setting, principal) };
  }

  private entry(
    principal: Principal,
    instance: InstanceRecord,
    target: { kind: 'key' | 'instance'; id: string },
    message: string,
  ) {
    return this.activity.ops({
      accountId: instance.accountId,
      actor: principal.username,
      action: `${target.kind}.policy`,
      target,
      result: 'success',
      message,
    });
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

/**
 * The policies a key is created with: its instance's rotation policy when enabled (with its
 * interval), and dual authorization when on; undefined when neither is.
 */
export function inheritedPolicies(
  instance: InstanceRecord,
  actor: string,
  now: Date,
  /** Imported keys rotate only with new material, so the instance's rotation skips them. */
  imported = false,
): PoliciesRecord | undefined {
  const fresh = (): PolicyRecord => ({
    id: randomUUID(),
    enabled: true,
    createdBy: actor,
    creationDate: now.toISOString(),
    updatedBy: actor,
    lastUpdateDate: now.toISOString(),
  });
  const intervalMonth = imported ? undefined : activeInterval(instance.policies?.rotation);
  const policies: PoliciesRecord = {
    ...(intervalMonth !== undefined && { rotation: { ...fresh(), intervalMonth } }),
    ...(instance.policies?.dualAuthDelete?.enabled && { dualAuthDelete: fresh() }),
  };
  return Object.keys(policies).length > 0 ? policies : undefined;
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
