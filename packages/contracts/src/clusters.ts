import { z } from 'zod';
import { Id, Provider } from './common.ts';
import { Connection } from './connections.ts';
import { SecretRef } from './secrets.ts';

/** What the console shows for Master status; the engine decides it. */
export const MasterHealth = z.enum(['normal', 'in_progress', 'warning', 'critical']);
export type MasterHealth = z.infer<typeof MasterHealth>;

export const Progress = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type Progress = z.infer<typeof Progress>;

export const MASTER_STATUS_READY = 'Ready';
/**
 * A connected cluster whose migration finished without etcd access: Keyhaven wrote every Secret
 * back through the API server but could not read what etcd stores (issue 25).
 */
export const MASTER_STATUS_READY_UNVERIFIED =
  'Ready, not verified: Keyhaven has no etcd access to check the stored bytes.';

/** Whether the master is Ready (verified in etcd or not). */
export const isMasterReady = (status: string): boolean =>
  status === MASTER_STATUS_READY || status === MASTER_STATUS_READY_UNVERIFIED;
export const MASTER_STATUS_ENABLING = 'KMS feature enablement in progress.';

export const KmsConfig = z.object({
  instanceId: z.string(),
  instanceName: z.string(),
  provider: Provider,
  accountId: z.string(),
  crkId: z.string(),
  crkName: z.string(),
  keyVersion: z.string(),
  privateEndpoint: z.boolean(),
  /** Root keys this cluster used before: never selectable again (R4). */
  previousCrkIds: z.array(z.string()),
});
export type KmsConfig = z.infer<typeof KmsConfig>;

export const EnablementResult = z.object({
  jobId: z.string(),
  crkId: z.string(),
  keyVersion: z.string(),
  reason: z.enum(['enable', 'update', 'rotate']),
  state: z.enum(['running', 'retrying', 'succeeded', 'failed']),
  message: z.string().optional(),
  progress: Progress,
  startedAt: z.string(),
  /** Connected clusters: when every API server had taken the key and the migration began. */
  takenAt: z.string().optional(),
  finishedAt: z.string().optional(),
});
export type EnablementResult = z.infer<typeof EnablementResult>;

/** Whether an enablement job is still under way (running, or waiting to retry after a failure). */
export const isJobActive = (job: Pick<EnablementResult, 'state'> | null | undefined): boolean =>
  job != null && (job.state === 'running' || job.state === 'retrying');

/** A cluster as the Kubernetes Service API returns it (the fields Keyhaven uses). */
export const Cluster = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  location: z.string(),
  masterKubeVersion: z.string(),
  accountId: z.string(),
  createdDate: z.string(),
  masterStatus: z.string(),
  masterHealth: MasterHealth,
  masterStatusModifiedDate: z.string(),
  lifecycle: z.object({
    masterStatus: z.string(),
    masterStatusModifiedDate: z.string(),
    masterHealth: MasterHealth,
  }),
  features: z.object({ keyProtectEnabled: z.boolean() }),
  kms: KmsConfig.nullable(),
  enablement: EnablementResult.nullable(),
  /** A connected cluster's API server (null for a demo cluster). */
  connection: Connection.nullable(),
});
export type Cluster = z.infer<typeof Cluster>;

export const ClusterList = z.array(Cluster);

export const EnableKmsRequest = z.object({
  cluster: Id.meta({ examples: ['c-dev-us-east'] }),
  instance_id: Id.meta({ examples: ['kp-us-south'] }),
  crk_id: Id,
  private_endpoint: z.boolean().default(true),
  account_id: Id.optional(),
});
export type EnableKmsRequest = z.infer<typeof EnableKmsRequest>;

export const EnableKmsAccepted = z.object({ cluster: Cluster, jobId: z.string() });

/** One status change of a cluster's master, as the watch stream sends it. */
export const StatusEvent = z.object({
  clusterId: z.string(),
  revision: z.number().int(),
  masterStatus: z.string(),
  masterHealth: MasterHealth,
  modifiedDate: z.string(),
  progress: Progress.nullable(),
  keyProtectEnabled: z.boolean(),
  /** The root key version the cluster's KMS configuration names: what its plug-in reports. */
  kms: z
    .object({ instanceId: z.string(), crkId: z.string(), keyVersion: z.string() })
    .nullable()
    .optional(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

/** One message of the engine's status stream (Server-Sent Events): its id and a StatusEvent. */
export const StatusEventMessage = z.object({
  event: z.literal('status'),
  id: z.string(),
  data: z.string().describe('A StatusEvent, as JSON'),
});

/**
 * The console's status streams add `event: interrupted` (data `{"reason": …}`) when the engine's
 * watch behind them broke: what the page shows is then the last status known.
 */
export const ConsoleStatusMessage = z.union([
  StatusEventMessage,
  z.object({
    event: z.literal('interrupted'),
    data: z.string().describe('{"reason": why the engine watch broke}, as JSON'),
  }),
]);

export const ClusterIdParam = z.object({ id: Id.meta({ examples: ['c-prod-us-south'] }) });

/** One secret of a cluster: the cluster's id with the secret's namespace and name. */
export const SecretPath = ClusterIdParam.extend(SecretRef.shape);
