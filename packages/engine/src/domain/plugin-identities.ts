import { randomBytes } from 'node:crypto';
import type { KmsPluginSetup } from '@keyhaven/contracts';
import type { Activity } from './activity.ts';
import type { Connections } from './connections.ts';
import { getDoc, json, type EngineContext } from './context.ts';
import { notFound } from './errors.ts';
import { hashPassword, type Iam, type Principal } from './iam.ts';
import { encryptionConfiguration, pluginConfig } from './plugin-setup.ts';
import { StoreKey, type ClusterRecord, type UserRecord } from './records.ts';

/** The user id of a connected cluster's KMS plug-in identity (its record is StoreKey.pluginUser). */
const pluginUserId = (clusterId: string) => `kms-plugin-${clusterId}`;

/**
 * A connected cluster's KMS plug-in identity: made at the first Set up KMS plug-in, with an API
 * key per setup that only serves this cluster's plug-in; Administrators list and revoke them.
 */
export class PluginIdentities {
  constructor(
    private readonly ctx: EngineContext,
    private readonly connections: Connections,
    private readonly activity: Activity,
    private readonly iam: Iam,
  ) {}

  /**
   * The files that set a cluster up for its KMS plug-in, with a new API key of the cluster's
   * plug-in identity (made on first use): it can follow this cluster and use its root keys only.
   */
  async pluginSetup(
    principal: Principal,
    clusterId: string,
    engineUrl: string,
    clientCertificates = false,
  ): Promise<KmsPluginSetup> {
    const cluster = { value: await this.connections.administered(principal, clusterId) };
    const identity = await this.pluginIdentity(cluster.value);
    const key = await this.iam.mintApiKey(identity, `kms-plugin setup by ${principal.username}`);
    await this.activity.record({
      accountId: cluster.value.accountId,
      actor: principal.username,
      action: 'cluster.plugin-setup',
      target: { kind: 'cluster', id: clusterId },
      result: 'success',
      message: `Made API key ${key.id} for the cluster's KMS plug-in.`,
    });
    return {
      encryptionConfiguration: encryptionConfiguration(),
      pluginConfig: pluginConfig(engineUrl, clusterId, key.apikey, {
        https: engineUrl.startsWith('https:'),
        clientCertificates,
      }),
      apiKeyId: key.id,
    };
  }

  /** The API keys of the cluster's plug-in identity, with the resource each serves. */
  async pluginKeys(principal: Principal, clusterId: string) {
    const cluster = await this.connections.administered(principal, clusterId);
    return this.iam.listApiKeys({ id: pluginUserId(cluster.id) });
  }

  /** Revokes one API key of the cluster's plug-in: tokens and streams made with it end too. */
  async revokePluginKey(principal: Principal, clusterId: string, keyId: string): Promise<void> {
    const cluster = await this.connections.administered(principal, clusterId);
    const keys = await this.iam.listApiKeys({ id: pluginUserId(cluster.id) });
    const key = keys.find((k) => k.id === keyId);
    if (!key) throw notFound('API key of the KMS plug-in', keyId);
    await this.iam.revokeApiKey({ id: pluginUserId(cluster.id) }, keyId);
    await this.activity.record({
      accountId: cluster.accountId,
      actor: principal.username,
      action: 'cluster.plugin-key-revoke',
      target: { kind: 'cluster', id: cluster.id },
      result: 'success',
      message: `Revoked API key ${keyId} of the cluster's KMS plug-in${key.resource ? ` (${key.resource})` : ''}.`,
    });
  }

  private async pluginIdentity(cluster: ClusterRecord): Promise<Principal> {
    const key = StoreKey.pluginUser(cluster.id);
    const existing = await getDoc<UserRecord>(this.ctx.store, key);
    const user: UserRecord = existing?.value ?? {
      id: pluginUserId(cluster.id),
      username: `kms-plugin-${cluster.name}`,
      accountId: cluster.accountId,
      // No password opens it: only its API keys do.
      passwordHash: await hashPassword(randomBytes(32).toString('base64')),
      apiKeys: [],
      platformRoles: [{ clusterId: cluster.id, role: 'Viewer' }],
      serviceRoles: [],
      pluginOf: cluster.id,
    };
    if (!existing)
      await this.ctx.store.txn(
        [{ key, modRevision: 0 }],
        [{ type: 'put', key, value: json(user) }],
      );
    return { ...user, serviceRoles: [] };
  }
}
