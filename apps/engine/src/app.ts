import express, { Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { buildOpenApi } from '@keyhaven/contracts';
import type { Engine, Principal } from '@keyhaven/engine';
import {
  contractRouter,
  errorHandler,
  healthRoutes,
  notFoundHandler,
  requestLogger,
} from '@keyhaven/server';
import { engineProblem, keyProtectEnvelope } from './problems.ts';
import { authorizationRoutes } from './routes/authorizations.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { identityRoutes } from './routes/identity.ts';
import { instanceRoutes } from './routes/instances.ts';
import { keyDetailRoutes } from './routes/key-details.ts';
import { keyActionRoutes } from './routes/key-actions.ts';
import { keyRoutes } from './routes/keys.ts';
import { secretRoutes } from './routes/secrets.ts';
import { engineOpenApi } from './openapi.ts';

/** The engine's HTTP API: Key Protect's key API, the Kubernetes Service cluster API, IAM tokens. */
export function createApp(engine: Engine, logger: Logger) {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(logger, { acceptRequestId: true }));
  app.use(helmet());
  app.use(express.json({ limit: '2mb', type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));

  healthRoutes(app, async () => {
    try {
      const state = await engine.ready();
      return { ready: Object.values(state.adapters).every((s) => s === 'ok'), ...state };
    } catch {
      return { ready: false, store: 'unavailable' };
    }
  });

  const api = Router();
  const { route, operations } = contractRouter<{ principal: Principal }>(api, {
    context: async (req, _res, spec) => ({
      // Token exchange and revocation carry their own credentials.
      principal:
        spec.auth === false
          ? (undefined as unknown as Principal)
          : await engine.iam.authenticate(req.headers.authorization),
    }),
  });
  identityRoutes({ route, engine });
  authorizationRoutes({ route, engine });
  instanceRoutes({ route, engine });
  keyRoutes({ route, engine });
  keyDetailRoutes({ route, engine });
  keyActionRoutes({ route, engine });
  clusterRoutes({ route, engine });
  secretRoutes({ route, engine });

  const openapi = buildOpenApi(engineOpenApi, operations);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(api);
  app.use(notFoundHandler());
  app.use(
    errorHandler({
      problemOf: engineProblem,
      internalMessage: 'The engine failed to handle the request.',
      decorate: keyProtectEnvelope,
    }),
  );
  return app;
}
