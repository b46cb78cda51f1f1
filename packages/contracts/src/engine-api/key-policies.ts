import {
  InstancePolicyCollection,
  InstancePolicyRequest,
  KeyPolicyCollection,
  KeyPolicyRequest,
  POLICY_MEDIA_TYPE,
  PolicyQuery,
} from '../key-policies.ts';
import { KeyIdParam, KeyProtectHeaders } from '../keys.ts';
import { operation } from './operation.ts';

export const putKeyPolicy = operation({
  method: 'put',
  path: '/api/v2/keys/:id/policies',
  operationId: 'putKeyPolicy',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Set a root key’s rotation policy: rotated every interval_month × 30 days',
  params: KeyIdParam,
  query: PolicyQuery,
  body: KeyPolicyRequest,
  response: KeyPolicyCollection,
  contentType: POLICY_MEDIA_TYPE,
  errors: [403, 409],
});
export const listKeyPolicies = operation({
  method: 'get',
  path: '/api/v2/keys/:id/policies',
  operationId: 'listKeyPolicies',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'A root key’s policies',
  params: KeyIdParam,
  response: KeyPolicyCollection,
  contentType: POLICY_MEDIA_TYPE,
  errors: [403],
});
export const putInstancePolicy = operation({
  method: 'put',
  path: '/api/v2/instance/policies',
  operationId: 'putInstancePolicy',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Set the instance’s rotation policy: the default of keys created after it',
  query: PolicyQuery,
  body: InstancePolicyRequest,
  response: InstancePolicyCollection,
  contentType: POLICY_MEDIA_TYPE,
  errors: [403, 404],
});
export const listInstancePolicies = operation({
  method: 'get',
  path: '/api/v2/instance/policies',
  operationId: 'listInstancePolicies',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'The instance’s policies',
  response: InstancePolicyCollection,
  contentType: POLICY_MEDIA_TYPE,
  errors: [403, 404],
});
