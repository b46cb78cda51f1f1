import { randomUUID } from 'node:crypto';
import {
  KeyState,
  hasServiceRole,
  type PluginRegistration,
  type PluginRegistrationRequest,
} from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import { getDoc, json, type Doc, type EngineContext } from './context.ts';
import { EngineError, conflict, notFound, unavailable } from './errors.ts';
import type { Iam, Principal } from './iam.ts';
import type { Keys } from './keys.ts';
import { StoreKey, type PluginRegistrationRecord, type RootKeyRecord } from './records.ts';
import type { Compare, Op } from '../store/types.ts';

interface Binding {
  keyId: string;
  registrationId: string;
}

const view = (key: RootKeyRecord, record: PluginRegistrationRecord): PluginRegistration => ({
  keyId: key.id,
  resource: record.resource,
  registrationId: record.registrationId,
  ...(record.description && { description: record.description }),
  keyVersion: { id: key.versions.at(-1)?.id ?? '' },
  state: key.state,
  createdAt: record.createdAt,
});

/** Runs a read-compare-write until its transaction holds (undefined: another write won). */
async function retryOnRace<T>(attempt: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 20; i++) {
    const done = await attempt();
    if (done !== undefined) return done;
  }
  throw unavailable('CONTENTION', 'the key is changing too often; try again', 1);
}

const withoutResource = (key: RootKeyRecord, resource: string): RootKeyRecord => ({
  ...key,
  plugins: (key.plugins ?? []).filter((p) => p.resource !== resource),
});

/**
 * Registrations of KMS plug-ins, which serve a real kube-apiserver outside the engine's clusters.
 * Within an account, a resource is registered with one key at a time: moving it to another key
 * drops the earlier registration in the same transaction, mints a new registration id and records
 * the move on both keys. Moving it needs Writer on the earlier key (or being the plug-in of a
 * cluster that used it): a Reader elsewhere cannot make a key in use deletable without force. The
 * key then lists the plug-in among its users, and deleting it needs force (R8).
 */
export class PluginRegistrations {
  constructor(
    private readonly ctx: EngineContext,
    private readonly keys: Keys,
    private readonly activity: Activity,
    private readonly iam: Iam,
  ) {}

  /** Registers (or confirms) the resource with the key; answers with the key's current state. */
  async register(
    principal: Principal,
    instanceId: string,
    keyId: string,
    resource: string,
    request: PluginRegistrationRequest,
  ): Promise<PluginRegistration> {
    const { instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Reader');
    await this.iam.bindPluginResource(principal, resource);
    const bindingKey = StoreKey.pluginRegistration(instance.accountId, resource);
    return retryOnRace(async () => {
      const key = await this.keyDoc(keyId);
      if (key.value.state === KeyState.Destroyed)
        throw conflict('KEY_DESTROYED', `Root key ${key.value.name} was deleted.`);
      const binding = await getDoc<Binding>(this.ctx.store, bindingKey);
      const current = key.value.plugins?.find(
        (p) => p.resource === resource && p.registrationId === binding?.value.registrationId,
      );
      if (binding?.value.keyId === keyId && current) return view(key.value, current);
      const earlier = binding && binding.value.keyId !== keyId && (await this.earlierKey(binding));
      if (earlier) await this.mayMove(principal, earlier.value, resource);
      const record: PluginRegistrationRecord = {
        resource,
        registrationId: randomUUID(),
        ...(request.description && { description: request.description }),
        createdAt: this.ctx.clock.now().toISOString(),
      };
      const next = withoutResource(key.value, resource);
      next.plugins = [...(next.plugins ?? []), record];
      const name = record.description ?? resource;
      const compares: Compare[] = [
        { key: StoreKey.key(keyId), modRevision: key.modRevision },
        { key: bindingKey, modRevision: binding?.modRevision ?? 0 },
      ];
      const ops: Op[] = [
        { type: 'put', key: StoreKey.key(keyId), value: json(next) },
        {
          type: 'put',
          key: bindingKey,
          value: json({ keyId, registrationId: record.registrationId } satisfies Binding),
        },
        ...this.activity.ops({
          accountId: instance.accountId,
          actor: principal.username,
          action: 'key.register',
          target: { kind: 'key', id: keyId },
          result: 'success',
          message: earlier
            ? `KMS plug-in ${name} moved to root key ${key.value.name} from root key ${earlier.value.name}.`
            : `KMS plug-in ${name} registered with root key ${key.value.name}.`,
        }),
      ];
      if (earlier) {
        compares.push({ key: StoreKey.key(earlier.value.id), modRevision: earlier.modRevision });
        ops.push(
          {
            type: 'put',
            key: StoreKey.key(earlier.value.id),
            value: json(withoutResource(earlier.value, resource)),
          },
          ...this.activity.ops({
            accountId: instance.accountId,
            actor: principal.username,
            action: 'key.deregister',
            target: { kind: 'key', id: earlier.value.id },
            result: 'success',
            message: `KMS plug-in ${name} moved from root key ${earlier.value.name} to root key ${key.value.name}.`,
          }),
        );
      }
      return (await this.ctx.store.txn(compares, ops)).succeeded ? view(next, record) : undefined;
    });
  }

  /** Taking a registration off a key needs Writer there, or the plug-in of a cluster that used it. */
  private async mayMove(principal: Principal, earlier: RootKeyRecord, resource: string) {
    if (principal.plugin?.keyIds.includes(earlier.id)) return;
    const instance = await this.keys.instance(earlier.instanceId);
    if (hasServiceRole(principal, instance, 'Writer')) return;
    throw new EngineError(
      403,
      'FORBIDDEN',
      `KMS plug-in ${resource} is registered with root key ${earlier.name} of KMS instance ${instance.id}; moving it needs the Writer service role there. Deregister it there first, or choose another resource name.`,
      { requiredRole: 'Writer', resource: { kind: 'KMS instance', id: instance.id } },
    );
  }

  /** Removes the resource's registration with the key (the plug-in was taken out of service). */
  async deregister(
    principal: Principal,
    instanceId: string,
    keyId: string,
    resource: string,
  ): Promise<void> {
    const { instance } = await this.keys.keyIn(principal, instanceId, keyId, 'Writer');
    const bindingKey = StoreKey.pluginRegistration(instance.accountId, resource);
    await retryOnRace(async () => {
      const key = await this.keyDoc(keyId);
      if (!key.value.plugins?.some((p) => p.resource === resource))
        throw notFound('Registration', resource);
      const binding = await getDoc<Binding>(this.ctx.store, bindingKey);
      const compares: Compare[] = [{ key: StoreKey.key(keyId), modRevision: key.modRevision }];
      const ops: Op[] = [
        {
          type: 'put',
          key: StoreKey.key(keyId),
          value: json(withoutResource(key.value, resource)),
        },
        ...this.activity.ops({
          accountId: instance.accountId,
          actor: principal.username,
          action: 'key.deregister',
          target: { kind: 'key', id: keyId },
          result: 'success',
          message: `KMS plug-in ${resource} no longer registered with root key ${key.value.name}.`,
        }),
      ];
      if (binding?.value.keyId === keyId) {
        compares.push({ key: bindingKey, modRevision: binding.modRevision });
        ops.push({ type: 'delete', key: bindingKey });
      }
      return (await this.ctx.store.txn(compares, ops)).succeeded || undefined;
    });
  }

  private async keyDoc(keyId: string): Promise<Doc<RootKeyRecord>> {
    const key = await getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(keyId));
    if (!key) throw notFound('Root key', keyId);
    return key;
  }

  private async earlierKey(binding: Doc<Binding>): Promise<Doc<RootKeyRecord> | undefined> {
    return getDoc<RootKeyRecord>(this.ctx.store, StoreKey.key(binding.value.keyId));
  }
}
