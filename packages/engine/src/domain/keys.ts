import { randomUUID } from 'node:crypto';
import {
  KeyState,
  hasServiceRole,
  keyUsability,
  lastRotateDate,
  type KeyAdapterName,
  type KmsInstance,
  type RootKey,
  type ServiceRole,
} from '@keyhaven/contracts';
import { KeyAdapterError } from '../keys/types.ts';
import type { Op } from '../store/types.ts';
import type { Activity } from './activity.ts';
import { getDoc, json, listDocs, updateDoc, type EngineContext } from './context.ts';
import { EngineError, conflict, notFound, unavailable } from './errors.ts';
import { requireServiceRole, type Principal } from './iam.ts';
import { inheritedPolicies, policyRotation } from './key-policies.ts';
import { dualAuthView } from './deletion-authorizations.ts';
import type { ImportedVersion } from './import-tokens.ts';
import { isImported } from './imported-keys.ts';
import {
  StoreKey,
  type ClusterRecord,
  type InstanceRecord,
  type KeyVersionRecord,
  type RootKeyRecord,
} from './records.ts';

export function endpointsOf(instance: InstanceRecord) {
  return {
    privateEndpoint: `https://private.${instance.region}.kms.keyhaven.local`,
    publicEndpoint: `https://${instance.region}.kms.keyhaven.local`,
  };
}

/** The instance as the API shows it: its record's own fields, never what is stored beside them. */
export const toInstance = (record: InstanceRecord): KmsInstance => ({
  id: record.id,
  name: record.name,
  provider: record.provider,
  region: record.region,
  accountId: record.accountId,
  ...endpointsOf(record),
});

/** Refuses (409, naming why) a root key that cannot wrap or unwrap now (R7, R8, R9). */
export function requireUsableKey(key: RootKeyRecord, now: Date): void {
  const usability = keyUsability(key, now);
  if (!usability.usable) throw conflict(usability.code, usability.message);
}

/** Turns a key-adapter failure into an engine error that names the problem. */
export function adapterFailure(err: unknown): EngineError {
  if (err instanceof KeyAdapterError) {
    if (err.retryable)
      return unavailable(err.code, `The key adapter is unavailable: ${err.message}`, 5);
    return new EngineError(err.code === 'KEY_MISSING' ? 409 : 500, err.code, err.message);
  }
  if (err instanceof EngineError) return err;
  return unavailable('KEY_ADAPTER_FAILED', 'The key adapter failed; try again.', 5);
}

/**
 * Whether the caller may see the key at all: a KMS plug-in identity only the keys its cluster
 * uses or used (any other answers as missing, so it learns nothing of them), anyone else every
 * key of the instances they hold a role on.
 */
const reaches = (principal: Principal, keyId: string) =>
  !principal.plugin || principal.plugin.keyIds.includes(keyId);

export class Keys {
  constructor(
    private readonly ctx: EngineContext,
    private readonly activity: Activity,
  ) {}

  /** HPCS keys live in the HSM when one is configured; otherwise in the engine's default adapter. */
  adapterOf(instance: InstanceRecord): KeyAdapterName {
    const hsm =
      instance.provider === 'hyper-protect-crypto-services' && this.ctx.hasAdapter('pkcs11');
    return hsm ? 'pkcs11' : this.ctx.defaultAdapter;
  }

  async instance(id: string): Promise<InstanceRecord> {
    const doc = await getDoc<InstanceRecord>(this.ctx.store, StoreKey.instance(id));
    if (!doc) throw notFound('KMS instance', id);
    return doc.value;
  }

  /** Instances the caller holds any service role on. */
  async listInstances(principal: Principal): Promise<KmsInstance[]> {
    const all = await listDocs<InstanceRecord>(this.ctx.store, StoreKey.instances);
    return all
      .map((d) => d.value)
      .filter((i) => hasServiceRole(principal, i, 'Reader'))
      .map(toInstance);
  }

  async record(id: string): Promise<RootKeyRecord> {
    const doc = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(id));
    if (!doc) throw notFound('Root key', id);
    return doc.value;
  }

  /** The key in this instance, checking the caller's role on the instance first. */
  async keyIn(principal: Principal, instanceId: string, keyId: string, role: ServiceRole) {
    const instance = await this.instance(instanceId);
    requireServiceRole(principal, instance, role);
    const key = await this.byIdOrAlias(instanceId, keyId);
    if (!key || key.value.instanceId !== instanceId || !reaches(principal, key.value.id))
      throw notFound('Root key', keyId);
    return { instance, key: key.value, modRevision: key.modRevision };
  }

  /** The key with this id, or else the key of the instance with this alias. */
  async byIdOrAlias(instanceId: string, idOrAlias: string) {
    const byId = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(idOrAlias));
    if (byId) return byId;
    const alias = await getDoc<{ keyId: string }>(
      this.ctx.store,
      StoreKey.alias(instanceId, idOrAlias),
    );
    return alias && getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(alias.value.keyId));
  }

  async list(principal: Principal, instanceId: string): Promise<RootKeyRecord[]> {
    requireServiceRole(principal, await this.instance(instanceId), 'Reader');
    const all = await listDocs<RootKeyRecord>(this.ctx.store, StoreKey.keys);
    return all
      .map((d) => d.value)
      .filter((k) => k.instanceId === instanceId && reaches(principal, k.id));
  }

  async newVersion(instance: InstanceRecord, keyId: string): Promise<KeyVersionRecord> {
    const versionId = randomUUID();
    const adapter = this.adapterOf(instance);
    try {
      const handle = await this.ctx.adapterFor(adapter).createKey(`${keyId}/${versionId}`);
      return { id: versionId, handle, adapter, creationDate: this.ctx.clock.now().toISOString() };
    } catch (err) {
      throw adapterFailure(err);
    }
  }

  /** Creates a root key: material made in the adapter, or brought in by `importer`. */
  async create(
    principal: Principal,
    instanceId: string,
    input: { name: string; description?: string | undefined; expirationDate?: string | undefined },
    importer?: (instance: InstanceRecord, keyId: string) => Promise<ImportedVersion>,
  ): Promise<RootKeyRecord> {
    const instance = await this.instance(instanceId);
    requireServiceRole(principal, instance, 'Writer');
    const now = this.ctx.clock.now();
    if (input.expirationDate && new Date(input.expirationDate).getTime() <= now.getTime()) {
      throw new EngineError(
        400,
        'INVALID_EXPIRATION',
        'The expiration date must be in the future.',
        { field: 'expirationDate' },
      );
    }
    const existing = await this.list(principal, instanceId);
    if (existing.some((k) => k.name === input.name && k.state !== KeyState.Destroyed)) {
      throw conflict(
        'KEY_NAME_TAKEN',
        `A root key named ${input.name} already exists in this instance.`,
      );
    }
    const id = randomUUID();
    const imported = await importer?.(instance, id);
    const version = imported?.version ?? (await this.newVersion(instance, id));
    const record: RootKeyRecord = {
      id,
      name: input.name,
      ...(input.description && { description: input.description }),
      instanceId,
      state: KeyState.Active,
      creationDate: now.toISOString(),
      createdBy: principal.username,
      lastUpdateDate: now.toISOString(),
      ...(input.expirationDate && { expirationDate: new Date(input.expirationDate).toISOString() }),
      versions: [version],
      registrations: [],
    };
    const policies = inheritedPolicies(instance, principal.username, now, Boolean(imported));
    if (policies) record.policies = policies;
    const { succeeded } = await this.ctx.store.txn(
      [{ key: StoreKey.key(id), modRevision: 0 }, ...(imported?.compares ?? [])],
      [
        { type: 'put', key: StoreKey.key(id), value: json(record) },
        ...(imported?.ops ?? []),
        ...this.activity.ops({
          accountId: instance.accountId,
          actor: principal.username,
          action: 'key.create',
          target: { kind: 'key', id },
          result: 'success',
          message: imported
            ? `Imported root key ${record.name}.`
            : `Created root key ${record.name}.`,
        }),
      ],
    );
    if (!succeeded) {
      await imported?.abandon();
      throw conflict(
        'IMPORT_TOKEN_USED',
        'The import token was used by another import meanwhile; create a new one.',
      );
    }
    await imported?.done();
    return record;
  }

  /** Sets a key's state; `alongside` adds the activity entries that record it, in one transaction. */
  async setState(
    keyId: string,
    state: RootKeyRecord['state'],
    alongside?: (next: RootKeyRecord) => Op[],
  ): Promise<RootKeyRecord> {
    return updateDoc<RootKeyRecord>(
      this.ctx.store,
      StoreKey.key(keyId),
      (k) => ({ ...k, state, lastUpdateDate: this.ctx.clock.now().toISOString() }),
      alongside,
    );
  }

  async view(record: RootKeyRecord): Promise<RootKey> {
    const latest = record.versions.at(-1);
    const rotatedAt = lastRotateDate(record);
    const policy = record.policies?.rotation;
    const dualAuth = dualAuthView(record, this.ctx.clock.now());
    const nextRotation =
      record.state === KeyState.Destroyed ? undefined : policyRotation(record)?.due;
    const clusterNames = new Map<string, string>();
    for (const r of record.registrations) {
      const cluster = await getDoc<ClusterRecord>(this.ctx.store, StoreKey.cluster(r.clusterId));
      clusterNames.set(r.clusterId, cluster?.value.name ?? r.clusterId);
    }
    return {
      id: record.id,
      type: 'application/vnd.ibm.kms.key+json',
      name: record.name,
      ...(record.description && { description: record.description }),
      state: record.state,
      extractable: false,
      instanceId: record.instanceId,
      crn: `crn:v1:keyhaven:public:kms:${record.instanceId}:key:${record.id}`,
      creationDate: record.creationDate,
      createdBy: record.createdBy,
      lastUpdateDate: record.lastUpdateDate,
      ...(record.expirationDate && { expirationDate: record.expirationDate }),
      ...(rotatedAt && { lastRotateDate: rotatedAt }),
      ...(nextRotation && { nextRotationDate: nextRotation.toISOString() }),
      ...(dualAuth && { dualAuthDelete: dualAuth }),
      ...(policy && {
        rotationPolicy: {
          enabled: policy.enabled,
          ...(policy.intervalMonth !== undefined && { intervalMonth: policy.intervalMonth }),
        },
      }),
      keyVersion: {
        id: latest?.id ?? '',
        creationDate: latest?.creationDate ?? record.creationDate,
      },
      versions: record.versions.map(({ id, creationDate }) => ({ id, creationDate })).reverse(),
      registrations: [
        ...record.registrations.map((r) => ({
          keyId: record.id,
          keyVersion: r.keyVersion,
          clusterId: r.clusterId,
          clusterName: clusterNames.get(r.clusterId) ?? r.clusterId,
          kind: 'cluster' as const,
          createdAt: r.createdAt,
        })),
        ...(record.plugins ?? []).map((p) => ({
          keyId: record.id,
          keyVersion: latest?.id ?? '',
          clusterId: p.resource,
          clusterName: p.description ?? p.resource,
          kind: 'kms-plugin' as const,
          createdAt: p.createdAt,
        })),
      ],
      deleted: record.state === KeyState.Destroyed,
      imported: isImported(record),
      ...(record.aliases?.length && { aliases: record.aliases.map((a) => a.alias) }),
    };
  }
}
