import {
  KeyState,
  deletionAuthorization,
  deletionAuthorizationExpiry,
  type RootKey,
} from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import { updateDoc, type EngineContext } from './context.ts';
import { EngineError, conflict } from './errors.ts';
import type { Principal } from './iam.ts';
import type { Keys } from './keys.ts';
import { StoreKey, type RootKeyRecord } from './records.ts';

/**
 * Key Protect's dual authorization to delete: on a key with the policy on, one Manager
 * authorizes the deletion (setKeyForDeletion) and another deletes within 7 days; the first may
 * cancel (unsetKeyForDeletion). The key stays Active throughout.
 */
export class DeletionAuthorizations {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly activity: Activity,
  ) {}

  async authorize(principal: Principal, instanceId: string, keyId: string) {
    const { key, instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    const now = this.ctx.clock.now();
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was already deleted.`);
    if (!key.policies?.dualAuthDelete?.enabled)
      throw conflict(
        'DUAL_AUTH_NOT_ENABLED',
        `Root key ${key.name} has no dual-authorization policy: a Manager deletes it alone.`,
      );
    const pending = key.deletionAuthorization;
    if (pending && deletionAuthorization(pending, now) === 'pending')
      throw conflict(
        'DELETION_ALREADY_AUTHORIZED',
        `${pending.by} already authorized the deletion of root key ${key.name}, until ${pending.expiresAt}.`,
      );
    const expiresAt = deletionAuthorizationExpiry(now).toISOString();
    return this.change(key, { by: principal.username, at: now.toISOString(), expiresAt }, () =>
      this.activity.ops({
        accountId: instance.accountId,
        actor: principal.username,
        action: 'key.authorize-deletion',
        target: { kind: 'key', id: key.id },
        result: 'success',
        message: `Authorized the deletion of root key ${key.name}: another Manager may delete it until ${expiresAt}.`,
      }),
    );
  }

  async cancel(principal: Principal, instanceId: string, keyId: string) {
    const { key, instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    if (deletionAuthorization(key.deletionAuthorization, this.ctx.clock.now()) !== 'pending')
      throw conflict(
        'DELETION_NOT_AUTHORIZED',
        `Nobody authorized the deletion of root key ${key.name}; there is nothing to cancel.`,
      );
    return this.change(key, undefined, () =>
      this.activity.ops({
        accountId: instance.accountId,
        actor: principal.username,
        action: 'key.cancel-deletion',
        target: { kind: 'key', id: key.id },
        result: 'success',
        message: `Cancelled the authorization to delete root key ${key.name}.`,
      }),
    );
  }

  private change(
    key: RootKeyRecord,
    authorization: RootKeyRecord['deletionAuthorization'],
    entry: () => ReturnType<Activity['ops']>,
  ) {
    return updateDoc<RootKeyRecord>(
      this.ctx.store,
      StoreKey.key(key.id),
      ({ deletionAuthorization: _old, ...k }) => ({
        ...k,
        ...(authorization && { deletionAuthorization: authorization }),
      }),
      entry,
    );
  }
}

/**
 * Refuses deleting a key under dual authorization unless another Manager authorized it and the
 * authorization has not lapsed (7 days).
 */
export function requireDeletionApproval(key: RootKeyRecord, principal: Principal, now: Date) {
  if (!key.policies?.dualAuthDelete?.enabled) return;
  const auth = key.deletionAuthorization;
  if (!auth)
    throw conflict(
      'DELETION_NOT_AUTHORIZED',
      `Root key ${key.name} needs two Managers to delete: another Manager must first authorize its deletion (setKeyForDeletion).`,
    );
  if (deletionAuthorization(auth, now) === 'lapsed')
    throw conflict(
      'DELETION_AUTHORIZATION_LAPSED',
      `The authorization to delete root key ${key.name} lapsed on ${auth.expiresAt}: a Manager must authorize it again.`,
    );
  if (auth.by === principal.username)
    throw new EngineError(
      403,
      'SAME_AUTHORIZER',
      `You authorized the deletion of root key ${key.name}; another Manager must delete it.`,
    );
}

/** The key's dual-authorization state as Key Protect shows it on the key. */
export function dualAuthView(key: RootKeyRecord, now: Date): RootKey['dualAuthDelete'] {
  const policy = key.policies?.dualAuthDelete;
  if (!policy) return undefined;
  const auth = key.deletionAuthorization;
  const state = deletionAuthorization(auth, now);
  return {
    enabled: policy.enabled,
    keySetForDeletion: state === 'pending',
    ...(auth && { authExpiration: auth.expiresAt, authorizedBy: auth.by }),
    ...(state === 'lapsed' && { lapsed: true }),
  };
}
