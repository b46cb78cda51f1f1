import {
  AccessPolicy,
  AccessPolicyIdParam,
  AccessPolicyList,
  AccessPolicyQuery,
  AccessPolicyRequest,
  User,
  UserCreate,
  UserIdParam,
  UserList,
} from '../users.ts';
import { AuditPage, AuditQuery } from '../activity.ts';
import { operation } from './operation.ts';

export const listUsers = operation({
  method: 'get',
  path: '/identity/users',
  operationId: 'listUsers',
  tag: 'IAM',
  summary: "The account's users and their roles (account Administrators)",
  response: UserList,
  errors: [403],
});
export const createUser = operation({
  method: 'post',
  path: '/identity/users',
  operationId: 'createUser',
  tag: 'IAM',
  summary: 'Invite a user to the account, with a first password and no roles',
  body: UserCreate,
  response: User,
  status: 201,
  errors: [403, 409],
});
export const deleteUser = operation({
  method: 'delete',
  path: '/identity/users/:id',
  operationId: 'deleteUser',
  tag: 'IAM',
  summary: 'Remove a user from the account (never its last Administrator)',
  params: UserIdParam,
  errors: [403, 409],
});
export const listAccessPolicies = operation({
  method: 'get',
  path: '/identity/access-policies',
  operationId: 'listAccessPolicies',
  tag: 'IAM',
  summary: "The account's access policies (IAM's shape), of one user with iam_id",
  query: AccessPolicyQuery,
  response: AccessPolicyList,
  errors: [403],
});
export const createAccessPolicy = operation({
  method: 'post',
  path: '/identity/access-policies',
  operationId: 'createAccessPolicy',
  tag: 'IAM',
  summary: "Grant a user a role on a KMS instance or a cluster (replaces the user's role there)",
  body: AccessPolicyRequest,
  response: AccessPolicy,
  status: 201,
  errors: [403, 404, 409],
});
export const deleteAccessPolicy = operation({
  method: 'delete',
  path: '/identity/access-policies/:id',
  operationId: 'deleteAccessPolicy',
  tag: 'IAM',
  summary: 'Revoke an access policy (never the last Administrator’s)',
  params: AccessPolicyIdParam,
  errors: [403, 409],
});

export const listAuditEvents = operation({
  method: 'get',
  path: '/v2/audit/events',
  operationId: 'listAuditEvents',
  tag: 'IAM',
  summary:
    "The account's audit log, newest first, paged and filtered (Viewer of all its clusters and Reader of all its KMS instances)",
  query: AuditQuery,
  response: AuditPage,
  errors: [403],
});
