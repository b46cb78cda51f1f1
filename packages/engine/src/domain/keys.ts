import { randomBytes, randomUUID } from 'node:crypto';
import { KeyState, hasServiceRole, type KmsInstance, type RootKey } from '@keyhaven/contracts';
import { KeyAdapterError } from '../keys/types.ts';
import { getDoc, json, listDocs, updateDoc, type EngineContext } from './context.ts';
import { EngineError, conflict, notFound, unavailable } from './errors.ts';
import { requireServiceRole, type Principal } from './iam.ts';
import {
  K,
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

export const toInstance = (record: InstanceRecord): KmsInstance => ({
  ...record,
  ...endpointsOf(record),
});

export function isExpired(key: RootKeyRecord, now: Date): boolean {
  return (
    key.expirationDate !== undefined && new Date(key.expirationDate).getTime() <= now.getTime()
  );
}

/** Why a key cannot wrap or unwrap now, or undefined when it can (R7, R8, R9). */
export function keyUnusableReason(
  key: RootKeyRecord,
  now: Date,
): { code: string; message: string } | undefined {
  if (key.state === KeyState.Destroyed) {
    return {
      code: 'ROOT_KEY_DELETED',
      message: `Root key ${key.name} was deleted: data encrypted with it cannot be recovered.`,
    };
  }
  if (isExpired(key, now)) {
    return {
      code: 'ROOT_KEY_EXPIRED',
      message: `Root key ${key.name} expired on ${key.expirationDate}: it can no longer wrap or unwrap.`,
    };
  }
  if (key.state !== KeyState.Active) {
    return {
      code: 'ROOT_KEY_DISABLED',
      message: `Root key ${key.name} is disabled: enable it to read secrets again.`,
    };
  }
  return undefined;
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

export class Keys {
  constructor(private readonly ctx: EngineContext) {}

  /** HPCS keys live in the HSM when one is configured; otherwise in the engine's default adapter. */
  adapterOf(instance: InstanceRecord): 'software' | 'pkcs11' {
    const hsm =
      instance.provider === 'hyper-protect-crypto-services' && this.ctx.hasAdapter('pkcs11');
    return hsm ? 'pkcs11' : this.ctx.defaultAdapter;
  }

  async instance(id: string): Promise<InstanceRecord> {
    const doc = await getDoc<InstanceRecord>(this.ctx.store, K.instance(id));
    if (!doc) throw notFound('KMS instance', id);
    return doc.value;
  }

  /** Instances the caller holds any service role on. */
  async listInstances(principal: Principal): Promise<KmsInstance[]> {
    const all = await listDocs<InstanceRecord>(this.ctx.store, K.instances);
    return all
      .map((d) => d.value)
      .filter((i) => hasServiceRole(principal, i.id, 'Reader'))
      .map(toInstance);
  }

  async record(id: string): Promise<RootKeyRecord> {
    const doc = await getDoc<RootKeyRecord>(this.ctx.store, K.key(id));
    if (!doc) throw notFound('Root key', id);
    return doc.value;
  }

  /** The key in this instance, checking the caller's role on the instance first. */
  async keyIn(
    principal: Principal,
    instanceId: string,
    keyId: string,
    role: 'Reader' | 'Writer' | 'Manager',
  ) {
    const instance = await this.instance(instanceId);
    requireServiceRole(principal, instanceId, role);
    const key = await getDoc<RootKeyRecord>(this.ctx.store, K.key(keyId));
    if (!key || key.value.instanceId !== instanceId) throw notFound('Root key', keyId);
    return { instance, key: key.value };
  }

  async list(principal: Principal, instanceId: string): Promise<RootKeyRecord[]> {
    await this.instance(instanceId);
    requireServiceRole(principal, instanceId, 'Reader');
    const all = await listDocs<RootKeyRecord>(this.ctx.store, K.keys);
    return all.map((d) => d.value).filter((k) => k.instanceId === instanceId);
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

  async create(
    principal: Principal,
    instanceId: string,
    input: { name: string; description?: string | undefined; expirationDate?: string | undefined },
  ): Promise<RootKeyRecord> {
    const instance = await this.instance(instanceId);
    requireServiceRole(principal, instanceId, 'Writer');
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
    const version = await this.newVersion(instance, id);
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
    await this.ctx.store.txn(
      [{ key: K.key(id), modRevision: 0 }],
      [{ type: 'put', key: K.key(id), value: json(record) }],
    );
    return record;
  }

  async setState(keyId: string, state: RootKeyRecord['state']): Promise<RootKeyRecord> {
    return updateDoc<RootKeyRecord>(this.ctx.store, K.key(keyId), (k) => ({
      ...k,
      state,
      lastUpdateDate: this.ctx.clock.now().toISOString(),
    }));
  }

  async view(record: RootKeyRecord): Promise<RootKey> {
    const latest = record.versions.at(-1);
    const clusterNames = new Map<string, string>();
    for (const r of record.registrations) {
      const cluster = await getDoc<ClusterRecord>(this.ctx.store, K.cluster(r.clusterId));
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
      keyVersion: {
        id: latest?.id ?? '',
        creationDate: latest?.creationDate ?? record.creationDate,
      },
      versions: record.versions.map(({ id, creationDate }) => ({ id, creationDate })).reverse(),
      registrations: record.registrations.map((r) => ({
        keyId: record.id,
        keyVersion: r.keyVersion,
        clusterId: r.clusterId,
        clusterName: clusterNames.get(r.clusterId) ?? r.clusterId,
        createdAt: r.createdAt,
      })),
      deleted: record.state === KeyState.Destroyed,
    };
  }

  private apiAad(keyId: string, aad: string[] | undefined) {
    return Buffer.from(JSON.stringify(['keyhaven api wrap', keyId, ...(aad ?? [])]));
  }

  /** Key Protect's wrap action: wraps the given (or a fresh 32-byte) data key with the latest version. */
  async wrapApi(
    principal: Principal,
    instanceId: string,
    keyId: string,
    request: { plaintext?: string | undefined; aad?: string[] | undefined },
  ) {
    const { key } = await this.keyIn(principal, instanceId, keyId, 'Reader');
    const reason = keyUnusableReason(key, this.ctx.clock.now());
    if (reason) throw conflict(reason.code, reason.message);
    const version = key.versions.at(-1);
    if (!version) throw conflict('KEY_MISSING', `Root key ${key.name} has no key material.`);
    const generated = request.plaintext === undefined;
    const plaintext = generated ? randomBytes(32) : Buffer.from(request.plaintext ?? '', 'base64');
    try {
      const wrapped = await this.ctx
        .adapterFor(version.adapter)
        .wrap(version.handle, plaintext, this.apiAad(key.id, request.aad));
      const ciphertext = Buffer.from(
        JSON.stringify({ v: version.id, c: wrapped.toString('base64') }),
      ).toString('base64');
      return {
        ciphertext,
        keyVersion: { id: version.id },
        ...(generated && { plaintext: plaintext.toString('base64') }),
      };
    } catch (err) {
      throw adapterFailure(err);
    }
  }

  async unwrapApi(
    principal: Principal,
    instanceId: string,
    keyId: string,
    request: { ciphertext: string; aad?: string[] | undefined },
  ) {
    const { key } = await this.keyIn(principal, instanceId, keyId, 'Reader');
    const reason = keyUnusableReason(key, this.ctx.clock.now());
    if (reason) throw conflict(reason.code, reason.message);
    let parsed: { v?: unknown; c?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(request.ciphertext, 'base64').toString()) as {
        v?: unknown;
        c?: unknown;
      };
    } catch {
      throw new EngineError(
        400,
        'INVALID_CIPHERTEXT',
        'The ciphertext was not produced by this key.',
        { field: 'ciphertext' },
      );
    }
    const version = key.versions.find((v) => v.id === parsed.v);
    if (!version || typeof parsed.c !== 'string') {
      throw new EngineError(
        400,
        'INVALID_CIPHERTEXT',
        'The ciphertext was not produced by this key.',
        { field: 'ciphertext' },
      );
    }
    try {
      const plaintext = await this.ctx
        .adapterFor(version.adapter)
        .unwrap(version.handle, Buffer.from(parsed.c, 'base64'), this.apiAad(key.id, request.aad));
      return { plaintext: plaintext.toString('base64'), keyVersion: { id: version.id } };
    } catch (err) {
      const failure = adapterFailure(err);
      if (failure.code === 'UNWRAP_FAILED')
        throw new EngineError(
          400,
          'INVALID_CIPHERTEXT',
          'The ciphertext or its additional authenticated data does not match this key.',
          { field: 'ciphertext' },
        );
      throw failure;
    }
  }
}
