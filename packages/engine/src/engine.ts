import type { KeyAdapterName } from '@keyhaven/contracts';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Envelope } from './crypto/envelope.ts';
import { Activity } from './domain/activity.ts';
import { Authorizations } from './domain/authorizations.ts';
import { Clusters } from './domain/clusters.ts';
import { systemClock, type Clock, type EngineContext } from './domain/context.ts';
import { Iam } from './domain/iam.ts';
import { Keys } from './domain/keys.ts';
import { Secrets } from './domain/secrets.ts';
import { Seeds, defaultSeedSettings, type SeedSettings } from './domain/seeds.ts';
import { KeyAdapterError, type KeyAdapter } from './keys/types.ts';
import { KeyLifecycle } from './domain/key-lifecycle.ts';
import { KeyPolicies } from './domain/key-policies.ts';
import { DeletionAuthorizations } from './domain/deletion-authorizations.ts';
import { KeyAliases } from './domain/key-aliases.ts';
import { ImportTokens } from './domain/import-tokens.ts';
import { Users } from './domain/users.ts';
import { KeyWrapping } from './domain/wrapping.ts';
import { PluginRegistrations } from './domain/plugin-registrations.ts';
import { ClusterAccess, type KubeClientFactory } from './domain/cluster-access.ts';
import type { EtcdAccessOpened, EtcdReader } from './kube/etcd-reader.ts';
import { Connections } from './domain/connections.ts';
import { PluginIdentities } from './domain/plugin-identities.ts';
import { PluginReports } from './domain/plugin-reports.ts';
import { AddressPolicy } from './kube/address-policy.ts';
import { Credentials } from './domain/credentials.ts';
import { ConnectedSecrets } from './domain/connected-secrets.ts';
import { MasterController } from './master/controller.ts';
import { defaultControllerSettings, type ControllerSettings } from './master/settings.ts';
import { LocalOwnership, type JobOwnership } from './master/ownership.ts';
import type { Store } from './store/types.ts';

export interface EngineDeps {
  store: Store;
  /** The adapter Key Protect instances use. */
  keyAdapter: KeyAdapter;
  /** The HSM adapter that Hyper Protect Crypto Services instances use, when configured. */
  hsmAdapter?: KeyAdapter | undefined;
  logger: Logger;
  clock?: Clock;
  ownership?: JobOwnership;
  seeds?: Partial<SeedSettings>;
  controller?: Partial<ControllerSettings>;
  /**
   * The key that signs IAM tokens, shared by every replica (from a 0600 file); without one, a
   * random key for this process only (tokens end with it).
   */
  tokenSigningKey?: Uint8Array;
  /** CIDRs a connected cluster may not be at (default: link-local and cloud metadata). */
  clusterDeny?: readonly string[];
  /** Builds the clients of connected clusters' API servers (default: KubeClient). */
  kubeClients?: KubeClientFactory;
  /** Builds the readers of connected clusters' etcd (default: a real etcd client). */
  etcdReaders?: (access: EtcdAccessOpened) => EtcdReader;
  /** How often one key may be rotated by hand (default: once an hour, as in Key Protect). */
  manualRotationEveryMs?: number;
}

export type Engine = ReturnType<typeof createEngine>;

/** What every part of the engine shares: the store, the key adapters, the clock and the log. */
function engineContext(deps: EngineDeps): EngineContext {
  const adapters = new Map<KeyAdapterName, KeyAdapter>([[deps.keyAdapter.name, deps.keyAdapter]]);
  if (deps.hsmAdapter) adapters.set(deps.hsmAdapter.name, deps.hsmAdapter);
  return {
    store: deps.store,
    defaultAdapter: deps.keyAdapter.name,
    hasAdapter: (name) => adapters.has(name),
    adapterFor(name) {
      const adapter = adapters.get(name);
      if (!adapter)
        throw new KeyAdapterError(
          'ADAPTER_UNAVAILABLE',
          `the ${name} key adapter is not configured on this engine`,
          true,
        );
      return adapter;
    },
    async adapterHealth() {
      const health = new Map<KeyAdapterName, string | undefined>();
      for (const [name, adapter] of adapters) {
        health.set(
          name,
          await adapter.check().then(
            () => undefined,
            (err: unknown) => (err instanceof Error ? err.message : 'unavailable'),
          ),
        );
      }
      return health;
    },
    clock: deps.clock ?? systemClock,
    log: deps.logger,
    envelope: new Envelope(() => (deps.clock ?? systemClock).now().getTime()),
  };
}

/** Builds the engine from its collaborators; call start() to resume jobs and watch status. */
export function createEngine(deps: EngineDeps) {
  const ctx = engineContext(deps);
  const iam = new Iam(ctx, deps.tokenSigningKey ?? new Uint8Array(randomBytes(32)));
  const activity = new Activity(ctx);
  const keys = new Keys(ctx, activity);
  const wrapping = new KeyWrapping(ctx, keys);
  const pluginRegistrations = new PluginRegistrations(ctx, keys, activity, iam);
  const clusters = new Clusters(ctx);
  const credentials = new Credentials(ctx);
  const clusterAccess = new ClusterAccess(
    ctx,
    credentials,
    new AddressPolicy(deps.clusterDeny),
    deps.kubeClients,
    deps.etcdReaders,
  );
  const connections = new Connections(ctx, clusterAccess, credentials, activity);
  const pluginIdentities = new PluginIdentities(ctx, connections, activity, iam);
  const pluginReports = new PluginReports(ctx, connections, activity, iam);
  const seeds = new Seeds(ctx, { ...defaultSeedSettings, ...deps.seeds });
  const authorizations: Authorizations = new Authorizations(ctx, keys, activity, () => controller);
  const keyLifecycle: KeyLifecycle = new KeyLifecycle(
    ctx,
    keys,
    clusters,
    seeds,
    activity,
    () => controller,
    deps.manualRotationEveryMs,
  );
  const keyPolicies = new KeyPolicies(ctx, keys, activity);
  const deletionAuthorizations = new DeletionAuthorizations(ctx, keys, activity);
  const keyAliases = new KeyAliases(ctx, keys, activity);
  const importTokens = new ImportTokens(ctx, keys, activity);
  const users = new Users(ctx, activity);
  const controller: MasterController = new MasterController({
    ctx,
    clusters,
    keys,
    seeds,
    activity,
    authorizations,
    ownership: deps.ownership ?? new LocalOwnership(),
    settings: { ...defaultControllerSettings, ...deps.controller },
    access: clusterAccess,
    keyLifecycle,
  });
  const secrets = new Secrets(
    ctx,
    clusters,
    keys,
    seeds,
    activity,
    new ConnectedSecrets(ctx, clusterAccess),
  );

  return {
    ctx,
    iam,
    keys,
    keyLifecycle,
    keyPolicies,
    deletionAuthorizations,
    keyAliases,
    importTokens,
    users,
    wrapping,
    pluginRegistrations,
    authorizations,
    clusters,
    connections,
    clusterAccess,
    pluginIdentities,
    pluginReports,
    seeds,
    activity,
    controller,
    secrets,
    start: () => controller.start(),
    /** Readiness (R14): the store and every key adapter answer. */
    async ready(): Promise<{ store: string; adapters: Record<string, string> }> {
      await deps.store.ping();
      const states: Record<string, string> = {};
      for (const [name, problem] of await ctx.adapterHealth()) states[name] = problem ?? 'ok';
      return { store: 'ok', adapters: states };
    },
    async close() {
      await controller.stop();
      await deps.ownership?.close?.();
      for (const adapter of [deps.keyAdapter, deps.hsmAdapter]) await adapter?.close();
      await deps.store.close();
    },
  };
}
