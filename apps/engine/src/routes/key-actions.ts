import { engineApi as api } from '@keyhaven/contracts';
import { instanceHeader, type RouteDeps } from './route.ts';

/**
 * Key Protect's key actions, one path each: wrap, unwrap and rewrap for API callers (the KMS
 * plug-in among them), rotate, disable and enable, which every cluster using the key follows,
 * and the two steps of a dual-authorization delete.
 */
export function keyActionRoutes({ route, engine }: RouteDeps) {
  route(api.wrapKey, ({ req, principal, params, body }) =>
    engine.wrapping.wrap(principal, instanceHeader(req), params.id, body),
  );
  route(api.unwrapKey, ({ req, principal, params, body }) =>
    engine.wrapping.unwrap(principal, instanceHeader(req), params.id, body),
  );
  route(api.rewrapKey, ({ req, principal, params, body }) =>
    engine.wrapping.rewrap(principal, instanceHeader(req), params.id, body),
  );
  route(api.rotateKey, async ({ req, principal, params }) => {
    await engine.keyLifecycle.rotate(principal, instanceHeader(req), params.id);
  });
  route(api.disableKey, async ({ req, principal, params }) => {
    await engine.keyLifecycle.setEnabled(principal, instanceHeader(req), params.id, false);
  });
  route(api.enableKey, async ({ req, principal, params }) => {
    await engine.keyLifecycle.setEnabled(principal, instanceHeader(req), params.id, true);
  });
  route(api.setKeyForDeletion, async ({ req, principal, params }) => {
    await engine.deletionAuthorizations.authorize(principal, instanceHeader(req), params.id);
  });
  route(api.unsetKeyForDeletion, async ({ req, principal, params }) => {
    await engine.deletionAuthorizations.cancel(principal, instanceHeader(req), params.id);
  });
}
