import express, { Router, type Request } from 'express';
import type { Logger } from 'pino';
import { buildOpenApi } from '@keyhaven/contracts';
import { EngineError, type Engine, type Principal } from '@keyhaven/engine';
import {
  LoginGuard,
  clientCertificate,
  contractRouter,
  errorHandler,
  healthRoutes,
  apiHeaders,
  notFoundHandler,
  rejectProtoKeys,
  rejectUndecodablePath,
  requestLogger,
} from '@keyhaven/server';
import { engineProblem, keyProtectEnvelope } from './problems.ts';
import { authorizationRoutes } from './routes/authorizations.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { identityRoutes } from './routes/identity.ts';
import { userRoutes } from './routes/users.ts';
import { instanceRoutes } from './routes/instances.ts';
import { keyDetailRoutes } from './routes/key-details.ts';
import { keyActionRoutes } from './routes/key-actions.ts';
import { keyPolicyRoutes } from './routes/key-policies.ts';
import { keyRoutes } from './routes/keys.ts';
import { secretRoutes } from './routes/secrets.ts';
import { engineOpenApi } from './openapi.ts';

export interface AppOptions {
  /** Limits on password and API-key checks; one per process. */
  loginGuard?: LoginGuard;
  /** The key the BFF shows to name a console user's address (see login-proxy.ts). */
  loginProxyKey?: string | undefined;
  /**
   * The engine's URL as KMS plug-ins reach it (KEYHAVEN_PUBLIC_URL), written into their setup
   * files; without it, the address this connection came in on. Never the Host header, which the
   * caller chooses.
   */
  publicUrl?: string | undefined;
  /** The server asks for client certificates: a KMS plug-in identity must present one (mTLS). */
  pluginClientCertificates?: boolean;
}

/**
 * A KMS plug-in identity is served only over a connection whose client certificate the engine's
 * client CA verified, when it has one: its API key alone does not do (mTLS beside the key).
 */
function requirePluginCertificate(req: Request, principal: Principal) {
  if (!principal.plugin) return;
  const cert = clientCertificate(req);
  if (!cert.verified)
    throw new EngineError(
      401,
      'CLIENT_CERTIFICATE_REQUIRED',
      `A KMS plug-in must present a client certificate signed by the engine's client CA (KP_CLIENT_CERT_FILE and KP_CLIENT_KEY_FILE): ${cert.reason}.`,
    );
}

/** The engine's HTTP API: Key Protect's key API, the Kubernetes Service cluster API, IAM tokens. */
export function createApp(engine: Engine, logger: Logger, options: AppOptions = {}) {
  const app = express();
  app.disable('x-powered-by');
  // The engine sits behind no proxy of its own: X-Forwarded-* headers say nothing about the caller.
  app.set('trust proxy', false);
  app.use(requestLogger(logger, { acceptRequestId: true }));
  app.use(rejectUndecodablePath);
  // An API only (JSON and event streams, no pages): the API's security headers, not helmet's.
  app.use(apiHeaders);
  app.use(express.json({ limit: '2mb', type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(rejectProtoKeys);

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
    context: async (req, _res, spec) => {
      // Token exchange and revocation carry their own credentials.
      if (spec.auth === false) return { principal: undefined as unknown as Principal };
      const principal = await engine.iam.authenticate(req.headers.authorization);
      if (options.pluginClientCertificates) requirePluginCertificate(req, principal);
      return { principal };
    },
  });
  identityRoutes(
    { route, engine },
    { guard: options.loginGuard ?? new LoginGuard(), proxyKey: options.loginProxyKey },
  );
  authorizationRoutes({ route, engine });
  instanceRoutes({ route, engine });
  keyRoutes({ route, engine });
  userRoutes({ route, engine });
  keyDetailRoutes({ route, engine });
  keyActionRoutes({ route, engine });
  keyPolicyRoutes({ route, engine });
  clusterRoutes({ route, engine }, options.publicUrl, options.pluginClientCertificates);
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
