import {
  KeyState,
  isJobActive,
  keyUsability,
  manualRotationAllowedFrom,
  MANUAL_ROTATION_EVERY_MS,
  months,
} from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import type { Clusters } from './clusters.ts';
import { getDoc, updateDoc, type EngineContext } from './context.ts';
import { EngineError, conflict } from './errors.ts';
import type { Principal } from './iam.ts';
import { adapterFailure, requireUsableKey, type Keys } from './keys.ts';
import { importedKeyRotation, isImported } from './imported-keys.ts';
import {
  StoreKey,
  type ClusterRecord,
  type KeyVersionRecord,
  type RootKeyRecord,
} from './records.ts';
import type { Seeds } from './seeds.ts';
import { policyRotation } from './key-policies.ts';
import { requireDeletionApproval } from './deletion-authorizations.ts';

/** What the master does when a root key changes under the clusters registered to it. */
export interface KeyLifecycleListener {
  /** A new version exists: re-enable each registered cluster with it (R6). */
  rotated(key: RootKeyRecord, versionId: string, actor: string, byPolicy?: boolean): Promise<void>;
  /** Disabled or enabled: each registered cluster's status follows (R7). */
  stateChanged(key: RootKeyRecord): Promise<void>;
  /** Deleted: each registered cluster's job fails and its status turns critical (R8). */
  deleted(key: RootKeyRecord): Promise<void>;
}

const STATE_WORDS: Partial<Record<RootKeyRecord['state'], string>> = {
  [KeyState.Active]: 'active',
  [KeyState.Suspended]: 'disabled',
  [KeyState.Deactivated]: 'deactivated (expired)',
  [KeyState.Destroyed]: 'destroyed',
};

/** Root-key commands of a KMS instance: rotate, disable, enable, delete (R6, R7, R8). */
export class KeyLifecycle {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly clusters: Clusters,
    private readonly seeds: Seeds,
    private readonly activity: Activity,
    /** The master controller, which is built after this (it sweeps with rotateDue). */
    private readonly listener: () => KeyLifecycleListener,
    private readonly manualRotationEveryMs = MANUAL_ROTATION_EVERY_MS,
  ) {}

  /**
   * Rotating a root key re-enables every cluster registered to it with the new version (R6).
   * By hand at most once an hour, as in Key Protect (429, naming when it may run again).
   */
  async rotate(principal: Principal, instanceId: string, keyId: string): Promise<RootKeyRecord> {
    const { instance, key } = await this.keys.keyIn(principal, instanceId, keyId, 'Writer');
    const now = this.ctx.clock.now();
    requireUsableKey(key, now);
    if (isImported(key)) throw importedKeyRotation(key);
    const allowedFrom = manualRotationAllowedFrom(key, now, this.manualRotationEveryMs);
    if (allowedFrom) {
      throw new EngineError(
        429,
        'ROTATION_TOO_SOON',
        `Root key ${key.name} was rotated less than ${this.manualRotationEveryMs / 60_000} minutes ago; it can be rotated by hand again from ${allowedFrom.toISOString()}.`,
        { retryAt: allowedFrom.toISOString() },
        Math.ceil((allowedFrom.getTime() - now.getTime()) / 1000),
      );
    }
    const busy = await this.busyCluster(key);
    if (busy)
      throw conflict(
        'ENABLEMENT_IN_PROGRESS',
        `Cluster ${busy} is still re-encrypting; rotate after its master is Ready.`,
      );
    const version = await this.keys.newVersion(instance, key.id);
    const rotated = await this.addVersion(
      key,
      version,
      { actor: principal.username, accountId: instance.accountId },
      (v) => `Rotated root key ${key.name}: new version ${v}.`,
    );
    await this.listener().rotated(rotated, version.id, principal.username);
    return rotated;
  }

  /**
   * The reconcile sweep's part: rotates every active key whose rotation policy is due, and every
   * cluster using it re-encrypts as after a rotation by hand (R6). A key one of whose clusters is
   * still re-encrypting waits for a later sweep; one key's failure does not stop the others.
   */
  async rotateDue(keys: RootKeyRecord[]): Promise<void> {
    const now = this.ctx.clock.now();
    for (const key of keys) {
      const policy = policyRotation(key);
      if (!policy || policy.due > now || !keyUsability(key, now).usable) continue;
      if (await this.busyCluster(key)) continue;
      try {
        const instance = await this.keys.instance(key.instanceId);
        const version = await this.keys.newVersion(instance, key.id);
        const rotated = await this.addVersion(
          key,
          version,
          { actor: 'system', accountId: instance.accountId },
          (v) =>
            `Rotated by policy (every ${months(policy.intervalMonth)}): root key ${key.name} has a new version ${v}.`,
        );
        await this.listener().rotated(rotated, version.id, 'system', true);
      } catch (err) {
        this.ctx.log.warn({ err, keyId: key.id }, 'could not rotate a key by its policy');
      }
    }
  }

  /**
   * The account of each cluster using the key: a cluster's entry about the key goes to its own
   * account's audit log, which may not be the key's (a service authorization).
   */
  private async clusterAccounts(key: RootKeyRecord, fallback: string) {
    const accounts = new Map<string, string>();
    for (const r of key.registrations)
      accounts.set(r.clusterId, await this.clusters.accountOf(r.clusterId, fallback));
    return accounts;
  }

  /** The name of a cluster using the key that is still re-encrypting, if any. */
  private async busyCluster(key: RootKeyRecord): Promise<string | undefined> {
    for (const r of key.registrations) {
      if (isJobActive((await this.clusters.job(r.clusterId))?.value))
        return (await this.clusters.record(r.clusterId)).value.name;
    }
    return undefined;
  }

  /** Records the new version; when that fails, its key material is destroyed again. */
  private async addVersion(
    key: RootKeyRecord,
    version: KeyVersionRecord,
    { actor, accountId }: { actor: string; accountId: string },
    message: (versionId: string) => string,
  ): Promise<RootKeyRecord> {
    return updateDoc<RootKeyRecord>(
      this.ctx.store,
      StoreKey.key(key.id),
      (k) => {
        // Another request or replica rotated it since it was read: one rotation, not two.
        if (k.versions.at(-1)?.id !== key.versions.at(-1)?.id)
          throw conflict('CONCURRENT_CHANGE', `Root key ${key.name} was rotated meanwhile.`);
        return { ...k, versions: [...k.versions, version], lastUpdateDate: version.creationDate };
      },
      () => [
        ...this.activity.ops({
          accountId,
          actor,
          action: 'key.rotate',
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: message(version.id),
        }),
      ],
    ).catch(async (err: unknown) => {
      await this.ctx
        .adapterFor(version.adapter)
        .destroy(version.handle)
        .catch(() => undefined);
      throw err;
    });
  }

  /** Disable (R7) and enable: every cluster using the key follows its state. */
  async setEnabled(
    principal: Principal,
    instanceId: string,
    keyId: string,
    enabled: boolean,
  ): Promise<RootKeyRecord> {
    const { key, instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    const accounts = await this.clusterAccounts(key, instance.accountId);
    const from = enabled ? KeyState.Suspended : KeyState.Active;
    if (key.state !== from) {
      throw conflict(
        'KEY_STATE_CONFLICT',
        `Root key ${key.name} is ${STATE_WORDS[key.state] ?? 'in another state'}; it cannot be ${enabled ? 'enabled' : 'disabled'} now.`,
      );
    }
    const action = enabled ? 'key.enable' : 'key.disable';
    const updated = await this.keys.setState(
      key.id,
      enabled ? KeyState.Active : KeyState.Suspended,
      (next) => [
        ...this.activity.ops({
          accountId: instance.accountId,
          actor: principal.username,
          action,
          target: { kind: 'key', id: key.id },
          result: 'success',
          message: `${enabled ? 'Enabled' : 'Disabled'} root key ${key.name}.`,
        }),
        ...next.registrations.flatMap((r) =>
          this.activity.ops({
            accountId: accounts.get(r.clusterId) ?? instance.accountId,
            actor: principal.username,
            action,
            target: { kind: 'cluster', id: r.clusterId },
            result: 'success',
            message: enabled
              ? `Root key ${key.name} was enabled: secrets can be read again.`
              : `Root key ${key.name} was disabled: secrets cannot be read.`,
          }),
        ),
      ],
    );
    this.seeds.forget(key.id);
    await this.listener().stateChanged(updated);
    return updated;
  }

  /** Deleting destroys the key material; a key in use needs force and breaks its clusters (R8). */
  async delete(
    principal: Principal,
    instanceId: string,
    keyId: string,
    force: boolean,
  ): Promise<RootKeyRecord> {
    const { key, instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Manager');
    if (key.state === KeyState.Destroyed)
      throw conflict('KEY_DESTROYED', `Root key ${key.name} was already deleted.`);
    const accounts = await this.clusterAccounts(key, instance.accountId);
    requireDeletionApproval(key, principal, this.ctx.clock.now());
    if ((key.registrations.length > 0 || (key.plugins?.length ?? 0) > 0) && !force)
      await this.refuseInUse(key);
    for (const version of key.versions) {
      try {
        await this.ctx.adapterFor(version.adapter).destroy(version.handle);
      } catch (err) {
        throw adapterFailure(err);
      }
    }
    const deleted = await this.keys.setState(key.id, KeyState.Destroyed, (next) => [
      ...this.activity.ops({
        accountId: instance.accountId,
        actor: principal.username,
        action: 'key.delete',
        target: { kind: 'key', id: key.id },
        result: 'success',
        message: `Deleted root key ${key.name}${force ? ' (forced)' : ''}.`,
      }),
      ...next.registrations.flatMap((r) =>
        this.activity.ops({
          accountId: accounts.get(r.clusterId) ?? instance.accountId,
          actor: principal.username,
          action: 'key.delete',
          target: { kind: 'cluster', id: r.clusterId },
          result: 'failure',
          message: `Root key ${key.name} was deleted: the cluster's secrets are unrecoverable.`,
        }),
      ),
    ]);
    this.seeds.forget(key.id);
    await this.listener().deleted(deleted);
    return deleted;
  }

  private async refuseInUse(key: RootKeyRecord): Promise<never> {
    const clusters = await Promise.all(
      key.registrations.map(async (r) => ({
        id: r.clusterId,
        name:
          (await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(r.clusterId)))?.value
            .name ?? r.clusterId,
      })),
    );
    const plugins = (key.plugins ?? []).map((p) => ({
      id: p.resource,
      name: `${p.description ?? p.resource} (KMS plug-in)`,
    }));
    const users = [...clusters, ...plugins];
    throw conflict(
      'KEY_IN_USE',
      `Root key ${key.name} is used by ${users.map((u) => u.name).join(', ')}. Deleting it makes ${users.length === 1 ? 'that cluster' : 'those clusters'} unusable and their data unrecoverable; pass force=true to delete anyway.`,
      { clusters: users },
    );
  }
}
