import { type RootKey, engineApi as api, KEY_MEDIA_TYPE } from '@keyhaven/contracts';
import type { InstanceRecord } from '@keyhaven/engine';
import { collection, instanceHeader, type RouteDeps } from './route.ts';

const keyCollection = (resources: RootKey[]) => collection(KEY_MEDIA_TYPE, resources);

/** Key Protect v2: an instance's root keys (list, create or import, read, delete). */
export function keyRoutes({ route, engine }: RouteDeps) {
  route(api.listKeys, async ({ req, principal }) => {
    const keys = await engine.keys.list(principal, instanceHeader(req));
    return keyCollection(await Promise.all(keys.map((k) => engine.keys.view(k))));
  });
  route(api.createKey, async ({ req, principal, body }) => {
    const [input] = body.resources;
    const { payload, encryptedNonce, iv } = input;
    // The contract takes the import's fields all together or none of them.
    const importer =
      payload && encryptedNonce && iv
        ? (instance: InstanceRecord, keyId: string) =>
            engine.importTokens.importVersion(principal, instance, keyId, {
              payload,
              encryptedNonce,
              iv,
            })
        : undefined;
    const key = await engine.keys.create(principal, instanceHeader(req), input, importer);
    return keyCollection([await engine.keys.view(key)]);
  });
  route(api.createImportToken, ({ req, principal, body }) =>
    engine.importTokens.create(principal, instanceHeader(req), body),
  );
  route(api.getImportToken, ({ req, principal }) =>
    engine.importTokens.retrieve(principal, instanceHeader(req)),
  );
  route(api.getKey, async ({ req, principal, params }) => {
    const { key } = await engine.keys.keyIn(principal, instanceHeader(req), params.id, 'Reader');
    return keyCollection([await engine.keys.view(key)]);
  });
  route(api.deleteKey, async ({ req, principal, params, query }) => {
    const key = await engine.keyLifecycle.delete(
      principal,
      instanceHeader(req),
      params.id,
      query.force,
    );
    return keyCollection([await engine.keys.view(key)]);
  });
}
