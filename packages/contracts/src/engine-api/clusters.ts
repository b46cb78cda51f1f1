import { ActivityList } from '../activity.ts';
import {
  Cluster,
  ClusterIdParam,
  ClusterList,
  EnableKmsAccepted,
  EnableKmsRequest,
  StatusEventMessage,
} from '../clusters.ts';
import {
  ConnectClusterRequest,
  KmsPluginSetup,
  PluginKeyParams,
  PluginReport,
  PluginReportParams,
} from '../connections.ts';
import { ApiKeyList } from '../identity.ts';
import { operation } from './operation.ts';

export const listClusters = operation({
  method: 'get',
  path: '/v2/clusters',
  operationId: 'listClusters',
  tag: 'Kubernetes Service',
  summary: 'Clusters the caller can view',
  response: ClusterList,
});
export const watchClusters = operation({
  method: 'get',
  path: '/v2/clusters/watch',
  operationId: 'watchClusters',
  tag: 'Kubernetes Service',
  summary: 'Server-Sent Events: master status changes of every cluster the caller can view',
  response: StatusEventMessage,
  contentType: 'text/event-stream',
});
export const getCluster = operation({
  method: 'get',
  path: '/v2/clusters/:id',
  operationId: 'getCluster',
  tag: 'Kubernetes Service',
  summary: 'One cluster with master status and KMS configuration',
  params: ClusterIdParam,
  response: Cluster,
  errors: [403],
});
export const enableKms = operation({
  method: 'post',
  path: '/v2/enableKMS',
  operationId: 'enableKms',
  tag: 'Kubernetes Service',
  summary: 'Enable or update KMS on a cluster (runs as a job)',
  body: EnableKmsRequest,
  response: EnableKmsAccepted,
  status: 202,
  errors: [403, 404, 409],
});
export const disableKms = operation({
  method: 'post',
  path: '/v2/disableKMS',
  operationId: 'disableKms',
  tag: 'Kubernetes Service',
  summary: 'Always refused: KMS cannot be disabled once enabled (R5)',
  errors: [409],
});
export const listClusterActivity = operation({
  method: 'get',
  path: '/v2/clusters/:id/activity',
  operationId: 'listClusterActivity',
  tag: 'Kubernetes Service',
  summary: "A cluster's activity, newest first",
  params: ClusterIdParam,
  response: ActivityList,
  errors: [403],
});
export const watchCluster = operation({
  method: 'get',
  path: '/v2/clusters/:id/watch',
  operationId: 'watchCluster',
  tag: 'Kubernetes Service',
  summary: 'Server-Sent Events: master status changes',
  params: ClusterIdParam,
  response: StatusEventMessage,
  contentType: 'text/event-stream',
  errors: [403],
});
export const connectCluster = operation({
  method: 'post',
  path: '/v2/clusters',
  operationId: 'connectCluster',
  tag: 'Kubernetes Service',
  summary:
    'Connect a real Kubernetes cluster: its credentials are checked at once, the token kept sealed',
  body: ConnectClusterRequest,
  response: Cluster,
  status: 201,
  errors: [403, 409],
});
export const disconnectCluster = operation({
  method: 'delete',
  path: '/v2/clusters/:id',
  operationId: 'disconnectCluster',
  tag: 'Kubernetes Service',
  summary: 'Disconnect a connected cluster (only while KMS is not enabled, R5)',
  params: ClusterIdParam,
  status: 204,
  errors: [403, 409],
});
export const setUpKmsPlugin = operation({
  method: 'post',
  path: '/v2/clusters/:id/kms-plugin-setup',
  operationId: 'setUpKmsPlugin',
  tag: 'Kubernetes Service',
  summary:
    "The cluster's EncryptionConfiguration and KMS plug-in configuration, with a new API key scoped to its plug-in",
  params: ClusterIdParam,
  response: KmsPluginSetup,
  status: 201,
  errors: [403, 409],
});
export const reportKmsPlugin = operation({
  method: 'post',
  path: '/v2/clusters/:id/plugin-reports',
  operationId: 'reportKmsPlugin',
  tag: 'Kubernetes Service',
  summary:
    'A KMS plug-in following the cluster reports its health and the key_id of its last Encrypt',
  params: ClusterIdParam,
  body: PluginReport,
  status: 204,
  errors: [403, 409],
});
export const listKmsPluginKeys = operation({
  method: 'get',
  path: '/v2/clusters/:id/kms-plugin-keys',
  operationId: 'listKmsPluginKeys',
  tag: 'Kubernetes Service',
  summary: "The API keys of the cluster's KMS plug-in, with the API server each serves",
  params: ClusterIdParam,
  response: ApiKeyList,
  errors: [403, 409],
});
export const revokeKmsPluginKey = operation({
  method: 'delete',
  path: '/v2/clusters/:id/kms-plugin-keys/:keyId',
  operationId: 'revokeKmsPluginKey',
  tag: 'Kubernetes Service',
  summary: "Revoke an API key of the cluster's KMS plug-in (its tokens and streams end)",
  params: PluginKeyParams,
  status: 204,
  errors: [403, 404, 409],
});
export const removeKmsPlugin = operation({
  method: 'delete',
  path: '/v2/clusters/:id/plugin-reports/:resource',
  operationId: 'removeKmsPlugin',
  tag: 'Kubernetes Service',
  summary:
    'Remove a KMS plug-in that stopped reporting (its API server is gone) and revoke its API keys',
  params: PluginReportParams,
  status: 204,
  errors: [403, 404, 409],
});
