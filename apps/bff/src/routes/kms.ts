import { z } from 'zod';
import {
  CreateRootKeyBody,
  DeleteRootKeyQuery,
  Id,
  KEY_MEDIA_TYPE,
  RootKey,
  RootKeyActionParams,
  engineApi,
} from '@keyhaven/contracts';
import type { EngineClient } from '../engine-client.ts';
import { badEngineResponse } from '../errors.ts';
import type { Route } from '../route.ts';

const InstancePath = z.object({ id: Id });
export const KeyPath = z.object({ id: Id, keyId: Id });
export const kmsHeaders = (instanceId: string) => ({ 'bluemix-instance': instanceId });
/** An engine call about one key of an instance (`params` of a KeyPath), as the session's user. */
export const onKey = (
  session: { token: string },
  requestId: string,
  params: { id: string; keyId: string },
) => ({
  params: { id: params.keyId },
  token: session.token,
  requestId,
  headers: kmsHeaders(params.id),
});
/** The key of a one-key answer (create, delete). */
export const onlyKey = (collection: { resources: RootKey[] }): RootKey => {
  const key = collection.resources[0];
  if (!key) throw badEngineResponse();
  return key;
};

/** Key management: an instance's root keys with create, rotate, disable, enable, delete. */
export function kmsRoutes(route: Route, engine: EngineClient) {
  route(
    {
      method: 'get',
      path: '/kms/instances/:id/keys',
      summary: "An instance's root keys",
      operationId: 'listRootKeys',
      tag: 'Key management',
      errors: [403],
      params: InstancePath,
      response: z.array(RootKey),
    },
    async ({ session, requestId, params }) => {
      return (
        await engine.call(engineApi.listKeys, {
          token: session.token,
          requestId,
          headers: kmsHeaders(params.id),
        })
      ).resources;
    },
  );
  route(
    {
      method: 'post',
      path: '/kms/instances/:id/keys',
      summary: 'Create a root key (optional expiration date)',
      operationId: 'createRootKey',
      tag: 'Key management',
      errors: [403, 409],
      params: InstancePath,
      body: CreateRootKeyBody,
      response: RootKey,
      status: 201,
    },
    async ({ session, requestId, params, body }) => {
      const created = await engine.call(engineApi.createKey, {
        token: session.token,
        requestId,
        headers: { ...kmsHeaders(params.id), 'content-type': KEY_MEDIA_TYPE },
        body: {
          metadata: { collectionType: KEY_MEDIA_TYPE, collectionTotal: 1 },
          resources: [
            {
              type: KEY_MEDIA_TYPE,
              name: body.name,
              extractable: false,
              ...(body.expirationDate && { expirationDate: body.expirationDate }),
            },
          ],
        },
      });
      return onlyKey(created);
    },
  );
  route(
    {
      method: 'post',
      path: '/kms/instances/:id/keys/:keyId/actions/:action',
      summary: 'Rotate (by hand at most once an hour: 429), disable or enable a root key',
      operationId: 'changeRootKey',
      tag: 'Key management',
      errors: [403, 409, 429],
      params: RootKeyActionParams,
    },
    async ({ session, requestId, params }) => {
      await engine.call(engineApi[`${params.action}Key`], onKey(session, requestId, params));
    },
  );
  route(
    {
      method: 'get',
      path: '/kms/instances/:id/keys/:keyId',
      summary: 'One root key, with the clusters and plug-ins that use it',
      operationId: 'getRootKey',
      tag: 'Key management',
      errors: [403, 404],
      params: KeyPath,
      response: RootKey,
    },
    async ({ session, requestId, params }) =>
      onlyKey(await engine.call(engineApi.getKey, onKey(session, requestId, params))),
  );
  route(
    {
      method: 'delete',
      path: '/kms/instances/:id/keys/:keyId',
      summary: 'Delete a root key (force=true when clusters use it)',
      operationId: 'deleteRootKey',
      tag: 'Key management',
      errors: [403, 409],
      params: KeyPath,
      query: DeleteRootKeyQuery,
      response: RootKey,
    },
    async ({ session, requestId, params, query }) => {
      const deleted = await engine.call(engineApi.deleteKey, {
        ...onKey(session, requestId, params),
        query,
      });
      return onlyKey(deleted);
    },
  );
}
