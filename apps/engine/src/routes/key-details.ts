import { engineApi as api, KEY_ALIAS_MEDIA_TYPE } from '@keyhaven/contracts';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

/**
 * What Key Protect tells about one root key (its versions, the clusters using it, its activity)
 * and its aliases.
 */
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
    const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    return engine.activity.list('key', key.id);
  });
  route(api.createKeyAlias, async ({ req, principal, params }) => {
    const alias = await engine.keyAliases.create(
      principal,
      instanceHeader(req),
      params.id,
      params.alias,
    );
    return collection(KEY_ALIAS_MEDIA_TYPE, [alias]);
  });
  route(api.deleteKeyAlias, async ({ req, principal, params }) => {
    await engine.keyAliases.delete(principal, instanceHeader(req), params.id, params.alias);
  });
}
