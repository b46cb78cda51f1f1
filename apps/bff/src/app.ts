import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cookieParser from 'cookie-parser';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import {
  LoginRequest,
  Me,
  SessionInfo,
  TokenResponse,
  buildOpenApi,
  type Operation,
} from '@keyhaven/contracts';
import type { Route } from './route.ts';
import { clusterRoutes } from './routes/clusters.ts';
import { kmsRoutes } from './routes/kms.ts';
import { secretRoutes } from './routes/secrets.ts';
import { StatusRelay } from './sse.ts';
import type { EngineClient } from './engine-client.ts';
import { ApiError, errorHandler, parse } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { checkCsrf, type SessionData, type Sessions } from './session.ts';

export interface BffDeps {
  engine: EngineClient;
  sessions: Sessions;
  logger: Logger;
  metrics: Metrics;
  /** The built SPA; omitted in API-only tests. */
  webDist?: string | undefined;
  /** Login attempts allowed per window, per address and per username. */
  loginLimit?: { windowMs: number; perAddress: number; perUser: number };
}

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
  app.set('trust proxy', 'loopback');

  app.use(express.json({ limit: '2mb' }));
  app.use(cookieParser());
  app.use(
    helmet({
      contentSecurityPolicy: {
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
      },
      strictTransportSecurity: false,
    }),
  );
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // What a request line says: no headers at all, so no cookie, CSRF token or bearer token
      // can reach the log. pino-http serializes the request for every request's child logger,
      // whatever the level, so these stay small and skip the standard serializers.
      wrapSerializers: false,
      serializers: {
        req: (req: Request) => ({ id: req.id, method: req.method, url: req.originalUrl }),
        res: (res: Response) => ({ statusCode: res.statusCode }),
      },
      autoLogging: {
        ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
      },
    }),
  );
  app.use(metrics.middleware);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (req, res) => {
    try {
      await engine.send({ path: '/healthz', requestId: String(req.id) });
      res.json({ status: 'ready', engine: 'ok' });
    } catch (err) {
      res.status(503).json({
        status: 'not ready',
        engine: err instanceof ApiError ? err.message : 'unavailable',
      });
    }
  });
  app.get('/metrics', metrics.handler);

  const api = Router();
  const operations: Operation[] = [];
  const limit = deps.loginLimit ?? { windowMs: 60_000, perAddress: 20, perUser: 5 };
  const tooMany = (message: string) => (_req: Request, res: Response) => {
    res.status(429).json({ code: 'TOO_MANY_ATTEMPTS', message });
  };
  const loginByAddress = rateLimit({
    windowMs: limit.windowMs,
    limit: limit.perAddress,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Failed attempts count (guessing passwords); logging in successfully again does not.
    skipSuccessfulRequests: true,
    handler: tooMany('Too many login attempts from this address. Wait a minute and try again.'),
  });
  const loginByUser = rateLimit({
    windowMs: limit.windowMs,
    limit: limit.perUser,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // Failed attempts count (guessing passwords); logging in successfully again does not.
    skipSuccessfulRequests: true,
    keyGenerator: (req) =>
      `user:${String((req.body as { username?: unknown } | undefined)?.username ?? '')
        .toLowerCase()
        .slice(0, 128)}`,
    handler: tooMany('Too many login attempts for this user. Wait a minute and try again.'),
  });

  /** A logged-in API route: session, CSRF on state changes, contract-checked input. */
  const route: Route = (op, handler) => {
    operations.push({ ...op, path: '/api' + op.path });
    const h: RequestHandler = async (req, res) => {
      const session = await sessions.require(req, res);
      if (op.method !== 'get') checkCsrf(req, session);
      const params = op.params ? parse(op.params, req.params, 'params') : {};
      const query = op.query ? parse(op.query, req.query, 'query') : {};
      const body = op.body ? parse(op.body, req.body ?? {}, 'body') : undefined;
      const result = await handler({
        req,
        res,
        session,
        requestId: String(req.id),
        params,
        query,
        body,
      } as never);
      if (res.headersSent) return;
      if (result === undefined) res.status(op.status ?? 204).end();
      else res.status(op.status ?? 200).json(result);
    };
    api[op.method](op.path, h);
  };

  operations.push({
    method: 'post',
    path: '/api/session',
    summary: 'Log in',
    body: LoginRequest,
    response: SessionInfo,
  });
  api.post('/session', loginByAddress, loginByUser, async (req, res) => {
    const origin = req.headers.origin;
    if (origin && origin !== `${req.protocol}://${req.headers.host}`) {
      throw new ApiError(403, 'CROSS_ORIGIN', 'Log in from the Keyhaven console itself.');
    }
    const { username, password } = parse(LoginRequest, req.body ?? {}, 'body');
    const token = await engine.json(TokenResponse, {
      method: 'POST',
      path: '/identity/token',
      form: { grant_type: 'password', username, password },
      requestId: String(req.id),
    });
    const user = await engine.json(Me, {
      path: '/identity/me',
      token: token.access_token,
      requestId: String(req.id),
    });
    const data: SessionData = {
      token: token.access_token,
      tokenExpiresAt: token.expiration * 1000,
      userId: user.id,
      csrf: sessions.newCsrfToken(),
      lastSeen: Date.now(),
    };
    await sessions.write(req, res, data);
    res.json(
      SessionInfo.parse({
        user,
        csrfToken: data.csrf,
        expiresAt: new Date(data.tokenExpiresAt).toISOString(),
      }),
    );
  });

  operations.push({
    method: 'get',
    path: '/api/session',
    summary: 'Who am I (204 when logged out)',
    response: SessionInfo,
  });
  api.get('/session', async (req, res) => {
    if (!(await sessions.read(req))) {
      res.status(204).end();
      return;
    }
    const session = await sessions.require(req, res);
    const user = await engine.json(Me, {
      path: '/identity/me',
      token: session.token,
      requestId: String(req.id),
    });
    res.json(
      SessionInfo.parse({
        user,
        csrfToken: session.csrf,
        expiresAt: new Date(session.tokenExpiresAt).toISOString(),
      }),
    );
  });

  operations.push({
    method: 'delete',
    path: '/api/session',
    summary: 'Log out (ends the session on every replica)',
  });
  api.delete('/session', async (req, res) => {
    const session = await sessions.read(req);
    if (session) {
      checkCsrf(req, session);
      await engine.send({
        method: 'POST',
        path: '/identity/revoke',
        token: session.token,
        requestId: String(req.id),
      });
    }
    sessions.clear(req, res);
    res.status(204).end();
  });

  clusterRoutes(route, engine, relay);
  kmsRoutes(route, engine);
  secretRoutes(route, engine);

  const openapi = buildOpenApi('Keyhaven console API', operations);
  api.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  api.use((req) => {
    throw new ApiError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} /api${req.path}`);
  });
  app.use('/api', api);

  if (deps.webDist) {
    const dist = resolve(deps.webDist);
    const index = join(dist, 'index.html');
    app.use(
      express.static(dist, {
        index: false,
        maxAge: '1h',
        setHeaders: (res, path) => {
          if (path.includes('/assets/'))
            res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        },
      }),
    );
    app.get('/{*splat}', (req, res) => {
      if (!existsSync(index))
        throw new ApiError(
          503,
          'CONSOLE_NOT_BUILT',
          'The console is not built: run npm start or npm run build.',
        );
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(index);
    });
  }
  app.use((req: Request) => {
    throw new ApiError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}
