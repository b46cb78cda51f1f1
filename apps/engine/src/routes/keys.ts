import {
  DeleteKeyQuery,
  KeyCollection,
  KeyCreateRequest,
  KeyIdParam,
  type RootKey,
  KeyProtectHeaders,
} from '@keyhaven/contracts';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

const KEY_TYPE = 'application/vnd.ibm.kms.key+json';

const keyCollection = (resources: RootKey[]) => collection(KEY_TYPE, resources);

/** Key Protect v2: an instance's root keys (list, create, read, delete). */
export function keyRoutes({ route, engine }: RouteDeps) {
  const tag = 'Key Protect';
  route(
    {
      method: 'get',
      path: '/api/v2/keys',
      operationId: 'listKeys',
      tag,
      headers: KeyProtectHeaders,
      summary: "List an instance's root keys (Bluemix-Instance header)",
      response: KeyCollection,
      contentType: KEY_TYPE,
      errors: [400, 403, 404],
    },
    async ({ req, principal }) => {
      const keys = await engine.keys.list(principal, instanceHeader(req));
      return keyCollection(await Promise.all(keys.map((k) => engine.keys.view(k))));
    },
  );
  route(
    {
      method: 'post',
      path: '/api/v2/keys',
      operationId: 'createKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Create a root key',
      body: KeyCreateRequest,
      response: KeyCollection,
      status: 201,
      contentType: KEY_TYPE,
      errors: [403, 404, 409],
    },
    async ({ req, principal, body }) => {
      const [input] = body.resources;
      const key = await engine.keys.create(principal, instanceHeader(req), input);
      return keyCollection([await engine.keys.view(key)]);
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id',
      operationId: 'getKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'One root key',
      params: KeyIdParam,
      response: KeyCollection,
      contentType: KEY_TYPE,
      errors: [403],
    },
    async ({ req, principal, params }) => {
      const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      return keyCollection([await engine.keys.view(key)]);
    },
  );
  route(
    {
      method: 'delete',
      path: '/api/v2/keys/:id',
      operationId: 'deleteKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Delete a root key (force=true if clusters use it)',
      params: KeyIdParam,
      query: DeleteKeyQuery,
      response: KeyCollection,
      contentType: KEY_TYPE,
      errors: [403, 409],
    },
    async ({ req, principal, params, query }) => {
      const key = await engine.keyLifecycle.delete(
        principal,
        instanceHeader(req),
        params.id,
        query.force,
      );
      return keyCollection([await engine.keys.view(key)]);
    },
  );
}
