import type {
  AuthorizationPolicy,
  EnablementResult,
  KeyAdapterName,
  KeyStateNumber,
  MasterHealth,
  PlatformGrant,
  Provider,
  ServiceGrant,
} from '@keyhaven/contracts';

// What the engine keeps in its store, one JSON document per key.

export interface AccountRecord {
  id: string;
  name: string;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  hash: string;
  createdAt: string;
  /** A KMS plug-in's key: the resource (API server) it speaks for, bound at first use. */
  resource?: string;
}

export interface UserRecord {
  id: string;
  username: string;
  accountId: string;
  passwordHash: string;
  apiKeys: ApiKeyRecord[];
  /** clusterId '*' grants the role on every cluster of the account. */
  platformRoles: PlatformGrant[];
  serviceRoles: ServiceGrant[];
  /** When and by whom an Administrator invited the user (absent for the demo's own). */
  createdAt?: string;
  createdBy?: string;
  /**
   * The KMS plug-in identity of a connected cluster: Viewer of that cluster, and Reader of the
   * instances holding the root keys the cluster uses or used (computed at each call).
   */
  pluginOf?: string;
}

export interface InstanceRecord {
  id: string;
  name: string;
  provider: Provider;
  region: string;
  accountId: string;
  /** The defaults of keys created after they were set (Key Protect's instance policies). */
  policies?: PoliciesRecord;
}

export interface PoliciesRecord {
  rotation?: RotationPolicyRecord;
  dualAuthDelete?: PolicyRecord;
}

/** A policy: on or off, and who set it when. */
export interface PolicyRecord {
  id: string;
  enabled: boolean;
  createdBy: string;
  creationDate: string;
  updatedBy: string;
  lastUpdateDate: string;
}

/** A rotation policy: every `intervalMonth` × 30 days after creation or the last rotation. */
export interface RotationPolicyRecord extends PolicyRecord {
  intervalMonth?: number;
}

export interface KeyVersionRecord {
  id: string;
  /** Opaque key-adapter handle; the material stays in the adapter. */
  handle: string;
  adapter: KeyAdapterName;
  creationDate: string;
  /** Brought in through an import token rather than made in the adapter. */
  imported?: boolean;
}

/**
 * An instance's import token: an RSA-4096 pair in the key adapter (only its handle and public
 * key here), a nonce, and its terms. Used once: the key it imported is named in it.
 */
export interface ImportTokenRecord {
  instanceId: string;
  handle: string;
  adapter: KeyAdapterName;
  /** Base64 of the PKIX PEM public key, as Key Protect gives it. */
  publicKey: string;
  nonce: string;
  expiration: number;
  maxAllowedRetrievals: number;
  remainingRetrievals: number;
  creationDate: string;
  expirationDate: string;
  createdBy: string;
  used?: { keyId: string; by: string; at: string };
}

export interface RootKeyRecord {
  id: string;
  name: string;
  description?: string;
  instanceId: string;
  state: KeyStateNumber;
  creationDate: string;
  createdBy: string;
  lastUpdateDate: string;
  expirationDate?: string;
  versions: KeyVersionRecord[];
  registrations: { clusterId: string; keyVersion: string; createdAt: string }[];
  /** KMS plug-ins that use this key (a real API server's), apart from the engine's clusters. */
  plugins?: PluginRegistrationRecord[];
  policies?: PoliciesRecord;
  /** Other names of the key in its instance (Key Protect's aliases), each held in StoreKey.alias. */
  aliases?: { alias: string; creationDate: string; createdBy: string }[];
  /** A first Manager's authorization to delete (dual authorization), until `expiresAt`. */
  deletionAuthorization?: { by: string; at: string; expiresAt: string };
}

export interface PluginRegistrationRecord {
  resource: string;
  registrationId: string;
  description?: string;
  createdAt: string;
}

export interface ClusterRecord {
  id: string;
  name: string;
  region: string;
  location: string;
  version: string;
  accountId: string;
  createdDate: string;
  status: { message: string; health: MasterHealth; modifiedDate: string };
  kms: {
    instanceId: string;
    accountId: string;
    crkId: string;
    keyVersion: string;
    privateEndpoint: boolean;
  } | null;
  previousCrkIds: string[];
  /** A connected cluster's API server; absent for a demo cluster. */
  connection?: ConnectionRecord;
}

/** How Keyhaven reaches a connected cluster. Token and etcd key are sealed (credentials.ts). */
export interface ConnectionRecord {
  server: string;
  caCertificate: string;
  sealedToken: string;
  etcd?: {
    endpoints: string[];
    caCertificate: string;
    clientCertificate: string;
    sealedClientKey: string;
  };
  connectedAt: string;
}

/** What one KMS plug-in of a connected cluster last reported (one document per plug-in). */
export interface PluginReportRecord {
  resource: string;
  healthz: string;
  /** key_id of the plug-in's last Encrypt: the key the API server took then. */
  keyId?: string;
  reportedAt: string;
}

export interface JobRecord {
  id: string;
  clusterId: string;
  reason: EnablementResult['reason'];
  actor: string;
  instanceId: string;
  crkId: string;
  keyVersion: string;
  privateEndpoint: boolean;
  accountId: string;
  /** The key this job moves away from, if any (its registration is dropped at the end). */
  fromCrkId: string | null;
  /** That key's name when the job began, for Master status ("Updating from … to …"). */
  fromCrkName?: string;
  state: EnablementResult['state'];
  message?: string;
  checkpoint: string | null;
  /** Connected clusters: the list's continue token after the checkpoint (it expires). */
  continueToken?: string;
  /** Connected clusters: when every API server had taken the job's key (migration began). */
  takenAt?: string;
  /**
   * Connected clusters: whether the finished migration was checked in the cluster's etcd (false:
   * no etcd access, so Master status says Ready but unverified).
   */
  verified?: boolean;
  done: number;
  total: number;
  startedAt: string;
  finishedAt?: string;
}

/** A service-to-service authorization as stored: the policy without the caller's dependents. */
export type AuthorizationRecord = Omit<AuthorizationPolicy, 'dependents'>;

/** Where each record lives in the store: one key per document, prefixes for lists. */
export const StoreKey = {
  account: (id: string) => `/keyhaven/accounts/${id}`,
  user: (id: string) => `/keyhaven/users/${id}`,
  pluginUser: (clusterId: string) => `/keyhaven/users/kms-plugin-${clusterId}`,
  users: '/keyhaven/users/',
  /** A username held by a user (normalized): of two invitations of one name, one wins. */
  username: (normalized: string) => `/keyhaven/usernames/${normalized}`,
  instance: (id: string) => `/keyhaven/instances/${id}`,
  instances: '/keyhaven/instances/',
  key: (id: string) => `/keyhaven/keys/${id}`,
  keys: '/keyhaven/keys/',
  /** Which key an alias names in its instance (aliases are unique per instance). */
  alias: (instanceId: string, alias: string) => `/keyhaven/key-aliases/${instanceId}/${alias}`,
  /** The instance's import token (one at a time, as in Key Protect). */
  importToken: (instanceId: string) => `/keyhaven/import-tokens/${instanceId}`,
  cluster: (id: string) => `/keyhaven/clusters/${id}`,
  clusters: '/keyhaven/clusters/',
  /** A connected cluster's name in its account: held while it is connected (unique names). */
  clusterName: (accountId: string, name: string) => `/keyhaven/cluster-names/${accountId}/${name}`,
  job: (clusterId: string) => `/keyhaven/jobs/${clusterId}`,
  jobs: '/keyhaven/jobs/',
  seed: (clusterId: string, keyVersion: string) => `/keyhaven/seeds/${clusterId}/${keyVersion}`,
  authorizations: '/keyhaven/authorizations/',
  /** One per source account, target service and target instance ('*': all of them). */
  authorization: (sourceAccountId: string, targetService: string, instanceId: string | null) =>
    `/keyhaven/authorizations/${sourceAccountId}/${targetService}/${instanceId ?? '*'}`,
  /**
   * Which key a KMS plug-in resource is registered with now, per account: another account's
   * resource of the same name is another plug-in (issue 25).
   */
  pluginRegistration: (accountId: string, resource: string) =>
    `/keyhaven/plugin-registrations/${accountId}/${resource}`,
  /** The key that seals connected clusters' credentials at rest. */
  credentialsKey: '/keyhaven/config/credentials-key',
  pluginReports: (clusterId: string) => `/keyhaven/plugin-reports/${clusterId}/`,
  pluginReport: (clusterId: string, resource: string) =>
    `/keyhaven/plugin-reports/${clusterId}/${resource}`,
  activity: (kind: string, id: string) => `/keyhaven/activity/${kind}/${id}/`,
  /** The account's audit log: every activity entry of its resources, newest first. */
  audit: (accountId: string) => `/keyhaven/audit/${accountId}/`,
  /** Where engines before the signing-key file kept the key in the clear; removed at start. */
  legacySigningKey: '/keyhaven/config/token-signing-key',
  secrets: (clusterId: string) => `/clusters/${clusterId}/registry/secrets/`,
  secret: (clusterId: string, namespace: string, name: string) =>
    `/clusters/${clusterId}/registry/secrets/${namespace}/${name}`,
} as const;
