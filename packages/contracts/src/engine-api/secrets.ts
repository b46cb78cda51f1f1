import { ClusterIdParam, SecretPath } from '../clusters.ts';
import {
  RawSecret,
  Secret,
  SecretListQuery,
  SecretMeta,
  SecretPage,
  SecretUpdate,
  SecretWrite,
} from '../secrets.ts';
import { operation } from './operation.ts';

export const listSecrets = operation({
  method: 'get',
  path: '/v2/clusters/:id/secrets',
  operationId: 'listSecrets',
  tag: 'Secrets',
  summary: 'List secrets (names and storage state)',
  params: ClusterIdParam,
  query: SecretListQuery,
  response: SecretPage,
  errors: [403],
});
export const createSecret = operation({
  method: 'post',
  path: '/v2/clusters/:id/secrets',
  operationId: 'createSecret',
  tag: 'Secrets',
  summary: 'Create a secret',
  params: ClusterIdParam,
  body: SecretWrite,
  response: SecretMeta,
  status: 201,
  errors: [403, 409],
});
export const getSecret = operation({
  method: 'get',
  path: '/v2/clusters/:id/secrets/:namespace/:name',
  operationId: 'getSecret',
  tag: 'Secrets',
  summary: 'Read a secret (decrypted)',
  params: SecretPath,
  response: Secret,
  errors: [403, 409],
});
export const replaceSecret = operation({
  method: 'put',
  path: '/v2/clusters/:id/secrets/:namespace/:name',
  operationId: 'replaceSecret',
  tag: 'Secrets',
  summary: 'Replace a secret',
  params: SecretPath,
  body: SecretUpdate,
  response: SecretMeta,
  errors: [403, 409],
});
export const deleteSecret = operation({
  method: 'delete',
  path: '/v2/clusters/:id/secrets/:namespace/:name',
  operationId: 'deleteSecret',
  tag: 'Secrets',
  summary: 'Delete a secret',
  params: SecretPath,
  errors: [403, 409],
});
export const getRawSecret = operation({
  method: 'get',
  path: '/v2/clusters/:id/secrets/:namespace/:name/raw',
  operationId: 'getRawSecret',
  tag: 'Secrets',
  summary: 'The stored bytes of a secret, as the store holds them',
  params: SecretPath,
  response: RawSecret,
  errors: [403],
});
