import { z } from 'zod';
import {
  ActivityList,
  AuditPage,
  AuditQuery,
  ClusterIdParam,
  Id,
  engineApi,
} from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';

/**
 * Activity: what was done to a cluster or a root key, and by whom, newest first; and the
 * account's audit log, every change to any of its resources.
 */
export function activityRoutes(route: Route, engine: EngineClient) {
  const ClusterPath = ClusterIdParam;
  route(
    {
      method: 'get',
      path: '/clusters/:id/activity',
      summary: "The cluster's actions and status changes, newest first",
      operationId: 'listClusterActivity',
      tag: 'Secrets',
      errors: [403],
      params: ClusterPath,
      response: ActivityList,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.listClusterActivity, {
        params,
        token: session.token,
        requestId,
      }),
  );
  route(
    {
      method: 'get',
      path: '/kms/instances/:id/keys/:keyId/activity',
      summary: "A root key's activity, newest first",
      operationId: 'listRootKeyActivity',
      tag: 'Key management',
      errors: [403],
      params: z.object({ id: Id, keyId: Id }),
      response: ActivityList,
    },
    ({ session, requestId, params }) =>
      engine.call(engineApi.listKeyActivity, {
        params: { id: params.keyId },
        token: session.token,
        requestId,
        headers: { 'bluemix-instance': params.id },
      }),
  );
  route(
    {
      method: 'get',
      path: '/audit/events',
      summary: "The account's audit log, newest first, paged and filtered",
      operationId: 'listAuditEvents',
      tag: 'Audit',
      errors: [403],
      query: AuditQuery,
      response: AuditPage,
    },
    ({ session, requestId, query }) =>
      engine.call(engineApi.listAuditEvents, { query, token: session.token, requestId }),
  );
}
