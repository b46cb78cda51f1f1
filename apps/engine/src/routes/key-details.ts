import {
  ActivityList,
  KeyIdParam,
  PluginRegistration,
  PluginRegistrationParams,
  PluginRegistrationRequest,
  KeyVersionCollection,
  RegistrationCollection,
  KeyProtectHeaders,
} from '@keyhaven/contracts';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

/** What Key Protect tells about one root key: its versions, the clusters using it, its activity. */
export function keyDetailRoutes({ route, engine }: RouteDeps) {
  const tag = 'Key Protect';
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id/versions',
      operationId: 'listKeyVersions',
      tag,
      headers: KeyProtectHeaders,
      summary: "A root key's versions",
      params: KeyIdParam,
      response: KeyVersionCollection,
      errors: [403],
    },
    async ({ req, principal, params }) => {
      const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      const { versions } = await engine.keys.view(key);
      return collection('application/vnd.ibm.kms.key_version+json', versions);
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id/registrations',
      operationId: 'listKeyRegistrations',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Clusters that use a root key',
      params: KeyIdParam,
      response: RegistrationCollection,
      errors: [403],
    },
    async ({ req, principal, params }) => {
      const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      const { registrations } = await engine.keys.view(key);
      return collection('application/vnd.ibm.kms.registration+json', registrations);
    },
  );
  route(
    {
      method: 'put',
      path: '/api/v2/keys/:id/registrations/:resource',
      operationId: 'registerKmsPlugin',
      tag,
      headers: KeyProtectHeaders,
      summary:
        'Register a KMS plug-in with the root key (idempotent); answers with the key version and state',
      params: PluginRegistrationParams,
      body: PluginRegistrationRequest,
      response: PluginRegistration,
      errors: [403, 409],
    },
    ({ req, principal, params, body }) =>
      engine.pluginRegistrations.register(
        principal,
        instanceHeader(req),
        params.id,
        params.resource,
        body,
      ),
  );
  route(
    {
      method: 'delete',
      path: '/api/v2/keys/:id/registrations/:resource',
      operationId: 'deregisterKmsPlugin',
      tag,
      headers: KeyProtectHeaders,
      summary: "Remove a KMS plug-in's registration with the root key",
      params: PluginRegistrationParams,
      status: 204,
      errors: [403],
    },
    async ({ req, principal, params }) => {
      await engine.pluginRegistrations.deregister(
        principal,
        instanceHeader(req),
        params.id,
        params.resource,
      );
    },
  );
  route(
    {
      method: 'get',
      path: '/api/v2/keys/:id/activity',
      operationId: 'listKeyActivity',
      tag,
      headers: KeyProtectHeaders,
      summary: "A root key's activity, newest first",
      params: KeyIdParam,
      response: ActivityList,
      errors: [403],
    },
    async ({ req, principal, params }) => {
      await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
      return engine.activity.list('key', params.id);
    },
  );
}
