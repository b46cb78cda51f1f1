import { engineApi as api } from '@keyhaven/contracts';
import type { RouteDeps } from './route.ts';

/** KMS instances the caller can read. */
export function instanceRoutes({ route, engine }: RouteDeps) {
  route(api.listKmsInstances, async ({ principal }) => ({
    instances: await engine.keys.listInstances(principal),
  }));
}
