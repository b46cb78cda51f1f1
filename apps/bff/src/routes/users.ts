import {
  AccessPolicy,
  AccessPolicyIdParam,
  AccessPolicyList,
  AccessPolicyRequest,
  User,
  UserCreate,
  UserIdParam,
  UserList,
  engineApi,
} from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';

/** The account's users and their access policies (account Administrators), for the Access page. */
export function userRoutes(route: Route, engine: EngineClient) {
  const tag = 'Access';
  route(
    {
      method: 'get',
      path: '/users',
      operationId: 'listUsers',
      tag,
      summary: "The account's users and their roles",
      response: UserList,
      errors: [403],
    },
    ({ session, requestId }) =>
      engine.call(engineApi.listUsers, { token: session.token, requestId }),
  );
  route(
    {
      method: 'post',
      path: '/users',
      operationId: 'createUser',
      tag,
      summary: 'Invite a user with a first password and no roles',
      body: UserCreate,
      response: User,
      status: 201,
      errors: [403, 409],
    },
    ({ session, requestId, body }) =>
      engine.call(engineApi.createUser, { token: session.token, requestId, body }),
  );
  route(
    {
      method: 'delete',
      path: '/users/:id',
      operationId: 'deleteUser',
      tag,
      summary: 'Remove a user (never the last Administrator)',
      params: UserIdParam,
      errors: [403, 409],
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.deleteUser, { token: session.token, requestId, params }),
  );
  route(
    {
      method: 'get',
      path: '/access-policies',
      operationId: 'listAccessPolicies',
      tag,
      summary: "The account's access policies",
      response: AccessPolicyList,
      errors: [403],
    },
    ({ session, requestId }) =>
      engine.call(engineApi.listAccessPolicies, { token: session.token, requestId, query: {} }),
  );
  route(
    {
      method: 'post',
      path: '/access-policies',
      operationId: 'createAccessPolicy',
      tag,
      summary: 'Grant a user a role on a KMS instance or a cluster',
      body: AccessPolicyRequest,
      response: AccessPolicy,
      status: 201,
      errors: [403, 404, 409],
    },
    ({ session, requestId, body }) =>
      engine.call(engineApi.createAccessPolicy, { token: session.token, requestId, body }),
  );
  route(
    {
      method: 'delete',
      path: '/access-policies/:id',
      operationId: 'deleteAccessPolicy',
      tag,
      summary: 'Revoke an access policy (never the last Administrator’s)',
      params: AccessPolicyIdParam,
      errors: [403, 409],
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.deleteAccessPolicy, { token: session.token, requestId, params }),
  );
}
