import { engineApi as api } from '@keyhaven/contracts';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

/** What Key Protect tells about one root key: its versions, the clusters using it, its activity. */
export function keyDetailRoutes({ route, engine }: RouteDeps) {
  route(api.listKeyVersions, async ({ req, principal, params }) => {
    const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    const { versions } = await engine.keys.view(key);
    return collection('application/vnd.ibm.kms.key_version+json', versions);
  });
  route(api.listKeyRegistrations, async ({ req, principal, params }) => {
    const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    const { registrations } = await engine.keys.view(key);
    return collection('application/vnd.ibm.kms.registration+json', registrations);
  });
  route(api.registerKmsPlugin, ({ req, principal, params, body }) =>
    engine.pluginRegistrations.register(
      principal,
      instanceHeader(req),
      params.id,
      params.resource,
      body,
    ),
  );
  route(api.deregisterKmsPlugin, async ({ req, principal, params }) => {
    await engine.pluginRegistrations.deregister(
      principal,
      instanceHeader(req),
      params.id,
      params.resource,
    );
  });
  route(api.listKeyActivity, async ({ req, principal, params }) => {
    await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    return engine.activity.list('key', params.id);
  });
}
