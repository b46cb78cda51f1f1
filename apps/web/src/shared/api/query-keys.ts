/**
 * Every query key of the console, in one tree: the query-options factories take their keys from
 * here, and mutations invalidate a factory's key or one of these prefixes, never a literal.
 */
export const queryKeys = {
  session: () => ['session'] as const,
  /** The clusters list; as a prefix, every query about any cluster. */
  clusters: () => ['clusters'] as const,
  /** Every query about one cluster. */
  cluster: (clusterId: string) => ['clusters', clusterId] as const,
  clusterOverview: (clusterId: string) => ['clusters', clusterId, 'overview'] as const,
  enableOptions: (clusterId: string) => ['clusters', clusterId, 'enable-options'] as const,
  enableOptionsFor: (clusterId: string, instanceId: string | undefined) =>
    [...queryKeys.enableOptions(clusterId), instanceId ?? null] as const,
  /** Every page of a cluster's secrets. */
  secrets: (clusterId: string) => ['clusters', clusterId, 'secrets'] as const,
  secretsPage: (clusterId: string, page: { search: string; offset: number; limit: number }) =>
    [...queryKeys.secrets(clusterId), page] as const,
  secretValues: (clusterId: string, namespace?: string, name?: string) =>
    ['clusters', clusterId, 'secret-values', namespace, name] as const,
  storedSecret: (clusterId: string, namespace?: string, name?: string) =>
    ['clusters', clusterId, 'secret-raw', namespace, name] as const,
  clusterActivity: (clusterId: string) => ['clusters', clusterId, 'activity'] as const,
  dashboard: () => ['dashboard'] as const,
  /** The account's audit log with its filters. */
  audit: (filters: object) => ['audit', filters] as const,
  kmsInstances: () => ['kms', 'instances'] as const,
  authorizations: () => ['authorizations'] as const,
  users: () => ['access', 'users'] as const,
  accessPolicies: () => ['access', 'policies'] as const,
  rootKeys: (instanceId: string) => ['kms', 'instances', instanceId, 'keys'] as const,
  /** One root key; under its instance's keys, so refreshing those refreshes it. */
  rootKey: (instanceId: string, keyId: string) =>
    [...queryKeys.rootKeys(instanceId), keyId] as const,
  rootKeyActivity: (instanceId: string, keyId: string) =>
    [...queryKeys.rootKey(instanceId, keyId), 'activity'] as const,
};
