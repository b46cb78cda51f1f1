import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { buildOpenApi } from '@keyhaven/contracts';
import {
  HttpError,
  apiHeaders,
  contractRouter,
  errorHandler,
  healthRoutes,
  hstsWhenSecure,
  notFoundHandler,
  rejectProtoKeys,
  rejectUndecodablePath,
  requestLogger,
} from '@keyhaven/server';
import type { EngineClient } from './engine-client.ts';
import { loginGuardFor, type LoginLimit } from './login-limits.ts';
import type { Metrics } from './metrics.ts';
import { bffOpenApi } from './openapi.ts';
import type { BffCall } from './route.ts';
import { activityRoutes } from './routes/activity.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { authorizationRoutes } from './routes/authorizations.ts';
import { userRoutes } from './routes/users.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { instanceRoutes } from './routes/instances.ts';
import { kmsRoutes } from './routes/kms.ts';
import { keyPolicyRoutes } from './routes/key-policies.ts';
import { secretRoutes } from './routes/secrets.ts';
import { sessionRoutes } from './routes/session.ts';
import { checkCsrf, type SessionData, type Sessions } from './session.ts';
import { serveConsole } from './spa.ts';
import { StatusRelay } from './sse.ts';

export interface BffDeps {
  engine: EngineClient;
  sessions: Sessions;
  logger: Logger;
  metrics: Metrics;
  /** The built SPA; omitted in API-only tests. */
  webDist?: string | undefined;
  loginLimit?: LoginLimit;
  /** The engine's login-proxy key, read when needed (the engine makes it at its first start). */
  loginProxyKey?: () => string | undefined;
  /** The proxy whose X-Forwarded-* headers count (Express's `trust proxy`); none by default. */
  trustProxy?: string | undefined;
}

const once = (fn: () => void) => {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
};

const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    fontSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/** Builds the console's server: middleware in a fixed order, then routes, 404 and one error handler. */
export function createApp(deps: BffDeps) {
  const { engine, sessions, logger, metrics } = deps;
  const app = express();
  const relay = new StatusRelay(engine, logger, metrics);
  (app as unknown as NodeJS.EventEmitter).on('shutdown', () => relay.close());
  app.locals.relay = relay;
  app.disable('x-powered-by');
  // API answers are not cached; hashing every body for an ETag would cost without a use.
  app.disable('etag');
  // A client-chosen X-Forwarded-For must not pick its own address (and so its own login budget).
  app.set('trust proxy', deps.trustProxy ?? false);

  app.use(express.json({ limit: '2mb' }));
  app.use(rejectProtoKeys);
  app.use(cookieParser());
  // The console's pages get helmet's headers; the API's JSON answers their own (apiHeaders).
  const documentHeaders = helmet({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    strictTransportSecurity: false,
  });
  app.use((req, res, next) => {
    if (req.url.startsWith('/api/')) apiHeaders(req, res, next);
    else documentHeaders(req, res, next);
  });
  app.use(requestLogger(logger, { quiet: ['/healthz', '/readyz', '/metrics'] }));
  app.use(rejectUndecodablePath);
  app.use(hstsWhenSecure);
  app.use(metrics.middleware);

  healthRoutes(app, async () => {
    try {
      await engine.ping();
      return { ready: true, engine: 'ok' };
    } catch (err) {
      return { ready: false, engine: err instanceof HttpError ? err.message : 'unavailable' };
    }
  });
  app.get('/metrics', metrics.handler);

  const api = Router();
  api.use((req, res, next) => {
    res.locals.routeBase = req.baseUrl;
    next();
  });
  const { route, operations } = contractRouter<BffCall>(api, {
    prefix: '/api',
    context: async (req, res, spec) => {
      const requestId = String(req.id);
      // Logging in, out and "who am I" look at the session themselves.
      if (spec.auth === false) return { requestId, session: undefined as unknown as SessionData };
      const session = await sessions.require(req, res);
      if (spec.method !== 'get') checkCsrf(req, session);
      return { requestId, session };
    },
  });
  sessionRoutes(route, {
    engine,
    sessions,
    relay,
    guard: loginGuardFor(deps.loginLimit),
    proxyKey: deps.loginProxyKey ?? (() => undefined),
    warnOnce: once(() =>
      logger.warn(
        "no login-proxy key (KEYHAVEN_LOGIN_PROXY_KEY_FILE): the engine counts every console login at this server's address",
      ),
    ),
  });
  clusterRoutes(route, engine, relay);
  instanceRoutes(route, engine);
  kmsRoutes(route, engine);
  keyPolicyRoutes(route, engine);
  secretRoutes(route, engine);
  activityRoutes(route, engine);
  dashboardRoutes(route, engine);
  authorizationRoutes(route, engine);
  userRoutes(route, engine);

  const openapi = buildOpenApi(bffOpenApi, operations);
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.use(notFoundHandler('/api'));
  app.use('/api', api);

  if (deps.webDist) serveConsole(app, deps.webDist);
  app.use(notFoundHandler());
  app.use(errorHandler({ internalMessage: 'The console server failed to handle the request.' }));
  return app;
}
