import { secretBodyProblem, engineApi as api } from '@keyhaven/contracts';
import { bodyPrecheck } from '@keyhaven/server';
import type { RouteDeps } from './route.ts';

/** A cluster's secrets, as its API server stores them: list, create, read, replace, delete, raw. */
export function secretRoutes({ route, engine }: RouteDeps) {
  route(api.listSecrets, ({ principal, params, query }) =>
    engine.secrets.list(principal, params.id, query),
  );
  route(
    { ...api.createSecret, before: [bodyPrecheck(secretBodyProblem)] },
    ({ principal, params, body }) => engine.secrets.write(principal, params.id, body, 'create'),
  );
  route(api.getSecret, ({ principal, params }) =>
    engine.secrets.get(principal, params.id, params.namespace, params.name),
  );
  route(
    { ...api.replaceSecret, before: [bodyPrecheck(secretBodyProblem)] },
    ({ principal, params, body }) =>
      engine.secrets.write(
        principal,
        params.id,
        {
          namespace: params.namespace,
          name: params.name,
          type: body.type ?? 'Opaque',
          data: body.data,
        },
        'update',
      ),
  );
  route(api.deleteSecret, async ({ principal, params }) => {
    await engine.secrets.delete(principal, params.id, params.namespace, params.name);
  });
  route(api.getRawSecret, ({ principal, params }) =>
    engine.secrets.raw(principal, params.id, params.namespace, params.name),
  );
}
