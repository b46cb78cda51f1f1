import {
  AuthorizationIdParam,
  AuthorizationPolicy,
  AuthorizationPolicyCreate,
  AuthorizationPolicyList,
} from '../authorizations.ts';
import { operation } from './operation.ts';

export const listAuthorizations = operation({
  method: 'get',
  path: '/identity/authorizations',
  operationId: 'listAuthorizations',
  tag: 'IAM',
  summary: "Service-to-service authorizations from or to the caller's account",
  response: AuthorizationPolicyList,
});
export const createAuthorization = operation({
  method: 'post',
  path: '/identity/authorizations',
  operationId: 'createAuthorization',
  tag: 'IAM',
  summary: 'Authorize Kubernetes Service to use a KMS instance (needs Administrator)',
  body: AuthorizationPolicyCreate,
  response: AuthorizationPolicy,
  status: 201,
  errors: [403, 404, 409],
});
export const deleteAuthorization = operation({
  method: 'delete',
  path: '/identity/authorizations/:id',
  operationId: 'deleteAuthorization',
  tag: 'IAM',
  summary: 'Delete an authorization (clusters relying on it turn to a warning)',
  params: AuthorizationIdParam,
  errors: [403],
});
