import { z } from 'zod';
import { Cluster, EnableKmsRequest, EnablementResult } from './clusters.ts';
import { Id, Provider } from './common.ts';
import { Me, Username } from './identity.ts';
import { KeyStateNumber, KmsInstance } from './keys.ts';

// The console's own API (served by the BFF under /api).

export const LoginRequest = z.object({
  username: Username('Enter your username'),
  password: z.string().min(1, 'Enter your password').max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const SessionInfo = z.object({
  user: Me,
  csrfToken: z.string(),
  expiresAt: z.string(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const ClusterRow = Cluster.pick({
  id: true,
  name: true,
  location: true,
  region: true,
  masterKubeVersion: true,
  masterStatus: true,
  masterHealth: true,
}).extend({
  kmsEnabled: z.boolean(),
  /** The instance and root key in use, when KMS is enabled. */
  kms: z.object({ instanceName: z.string(), rootKeyName: z.string() }).nullable(),
  /** A connected cluster's API server URL (null for a demo cluster). */
  server: z.string().nullable(),
});
export type ClusterRow = z.infer<typeof ClusterRow>;
export const ClusterRows = z.array(ClusterRow);

export const EnableKmsBody = EnableKmsRequest.omit({ cluster: true, account_id: true });
export type EnableKmsBody = z.infer<typeof EnableKmsBody>;

/** One cluster's Overview in one call. */
export const ClusterOverview = z.object({
  cluster: Cluster,
  kms: z
    .object({
      instanceId: z.string(),
      instanceName: z.string(),
      provider: Provider,
      region: z.string().nullable(),
      rootKeyId: z.string(),
      rootKeyName: z.string(),
      rootKeyState: KeyStateNumber.nullable(),
      keyVersion: z.string(),
      expirationDate: z.string().nullable(),
      privateEndpoint: z.boolean(),
    })
    .nullable(),
});
export type ClusterOverview = z.infer<typeof ClusterOverview>;

export const UnselectableReason = z.enum([
  'used-before',
  'in-use',
  'disabled',
  'expired',
  'destroyed',
  'no-permission',
]);
export type UnselectableReason = z.infer<typeof UnselectableReason>;

/** What the Enable/Update form offers: the engine decides, the form mirrors it. */
export const EnableOptions = z.object({
  instances: z.array(KmsInstance),
  keys: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      state: KeyStateNumber,
      expirationDate: z.string().nullable(),
      selectable: z.boolean(),
      reason: UnselectableReason.nullable(),
      reasonText: z.string().nullable(),
      expiresSoon: z.boolean(),
    }),
  ),
  canEnable: z.boolean(),
  /**
   * For the chosen instance: whether Kubernetes Service of the cluster's account is authorized
   * to use it already, or enabling will create that authorization (R10); null before a choice.
   */
  authorization: z.enum(['present', 'created-on-enable']).nullable(),
});
export type EnableOptions = z.infer<typeof EnableOptions>;

export const EnableOptionsQuery = z.object({ instanceId: Id.optional() });

export const CreateRootKeyBody = z.object({
  name: z
    .string()
    .trim()
    .min(2, 'Use at least 2 characters')
    .max(90)
    .regex(/^[A-Za-z0-9 ._-]+$/, 'Use letters, digits, spaces, ".", "_" and "-"'),
  expirationDate: z.iso.datetime({ offset: true }).optional(),
});
export type CreateRootKeyBody = z.infer<typeof CreateRootKeyBody>;

/** What the console does to a root key besides creating and deleting it. */
export const RootKeyAction = z.enum(['rotate', 'disable', 'enable']);
export type RootKeyAction = z.infer<typeof RootKeyAction>;

export const RootKeyActionParams = z.object({ id: Id, keyId: Id, action: RootKeyAction });
/** The console's rotation policy of a root key: on every `intervalMonth` months, or off. */
export const RotationPolicyBody = z
  .strictObject({
    enabled: z.boolean(),
    intervalMonth: z
      .number()
      .int()
      .min(1, 'Choose 1 to 12 months')
      .max(12, 'Choose 1 to 12 months')
      .optional(),
  })
  .refine((b) => !b.enabled || b.intervalMonth !== undefined, {
    message: 'Choose how many months between rotations',
    path: ['intervalMonth'],
  });
export type RotationPolicyBody = z.infer<typeof RotationPolicyBody>;

export const DeleteRootKeyQuery = z.object({ force: z.enum(['true', 'false']).default('false') });

/** A root key as the fleet dashboard charts it: its age, next rotation, expiry and use. */
export const DashboardKey = z.object({
  id: z.string(),
  name: z.string(),
  instanceId: z.string(),
  instanceName: z.string(),
  state: KeyStateNumber,
  creationDate: z.string(),
  lastRotateDate: z.string().nullable(),
  nextRotationDate: z.string().nullable(),
  expirationDate: z.string().nullable(),
  /** Clusters and KMS plug-ins registered with it. */
  usedBy: z.number().int().nonnegative(),
});
export type DashboardKey = z.infer<typeof DashboardKey>;

/** A cluster's latest re-encryption (enable, update or rotate) and how fast it went. */
export const DashboardMigration = z.object({
  clusterId: z.string(),
  clusterName: z.string(),
  reason: EnablementResult.shape.reason,
  state: EnablementResult.shape.state,
  rootKeyName: z.string().nullable(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** Secrets re-encrypted per second, from when the migration began to its end (or now). */
  perSecond: z.number().nonnegative().nullable(),
});
export type DashboardMigration = z.infer<typeof DashboardMigration>;

/** What the fleet dashboard shows beside the clusters list (which it takes live). */
export const Dashboard = z.object({
  keys: z.array(DashboardKey),
  migrations: z.array(DashboardMigration),
  /** KMS instances whose keys could not be read (the user lacks Reader, or the engine failed). */
  unreadInstances: z.array(z.string()),
});
export type Dashboard = z.infer<typeof Dashboard>;
