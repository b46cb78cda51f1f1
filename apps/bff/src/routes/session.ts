import type { Request } from 'express';
import { LoginRequest, SessionInfo, engineApi, type Me } from '@keyhaven/contracts';
import {
  CLIENT_ADDRESS_HEADER,
  HttpError,
  PROXY_KEY_HEADER,
  type LoginGuard,
} from '@keyhaven/server';
import type { EngineClient } from '../engine-client.ts';
import type { Route } from '../route.ts';
import type { StatusRelay } from '../sse.ts';
import { checkCsrf, type SessionData, type Sessions } from '../session.ts';

/** Logging in and out of the console, and who is logged in. */
export interface SessionDeps {
  engine: EngineClient;
  sessions: Sessions;
  relay: StatusRelay;
  guard: LoginGuard;
  /** The engine's login-proxy key, once readable: lets the engine count the user's address. */
  proxyKey: () => string | undefined;
  /** Says once that logins go to the engine without the key. */
  warnOnce: () => void;
}

/** Checks the password through the engine, inside the login guard's limits. */
async function checkPassword(
  deps: SessionDeps,
  req: Request,
  requestId: string,
  body: { username: string; password: string },
) {
  const verdict = deps.guard.attempt(body.username, req.ip ?? 'unknown');
  if (!verdict.allowed)
    throw new HttpError(
      429,
      'TOO_MANY_ATTEMPTS',
      verdict.message,
      undefined,
      String(verdict.retryAfterSeconds),
    );
  const key = deps.proxyKey();
  if (!key) deps.warnOnce();
  try {
    const token = await deps.engine.call(engineApi.createToken, {
      body: { grant_type: 'password', username: body.username, password: body.password },
      requestId,
      ...(key && {
        headers: { [CLIENT_ADDRESS_HEADER]: req.ip ?? 'unknown', [PROXY_KEY_HEADER]: key },
      }),
    });
    verdict.done('success');
    return token;
  } catch (err) {
    verdict.done(err instanceof HttpError && err.status === 401 ? 'failure' : 'void');
    throw err;
  }
}

export function sessionRoutes(route: Route, deps: SessionDeps) {
  const { engine, sessions } = deps;
  const tag = 'Session';
  const sessionInfo = (user: Me, session: SessionData) =>
    SessionInfo.parse({
      user,
      csrfToken: session.csrf,
      expiresAt: new Date(session.tokenExpiresAt).toISOString(),
    });
  const sameOrigin = (req: Request) => {
    const origin = req.headers.origin;
    if (origin && origin !== `${req.protocol}://${req.headers.host}`)
      throw new HttpError(403, 'CROSS_ORIGIN', 'Log in from the Keyhaven console itself.');
  };

  route(
    {
      method: 'post',
      path: '/session',
      operationId: 'login',
      tag,
      summary: 'Log in',
      body: LoginRequest,
      response: SessionInfo,
      errors: [401, 403, 429],
      auth: false,
    },
    async ({ req, res, requestId, body }) => {
      sameOrigin(req);
      const token = await checkPassword(deps, req, requestId, body);
      const user = await engine.call(engineApi.getMe, { token: token.access_token, requestId });
      const session: SessionData = {
        token: token.access_token,
        tokenExpiresAt: token.expiration * 1000,
        userId: user.id,
        csrf: sessions.newCsrfToken(),
        lastSeen: Date.now(),
      };
      await sessions.write(req, res, session);
      return sessionInfo(user, session);
    },
  );
  route(
    {
      method: 'get',
      path: '/session',
      operationId: 'getSession',
      tag,
      summary: 'Who am I (204 when logged out)',
      response: SessionInfo,
      noContent: 'Not logged in: there is no session',
      errors: [401],
      auth: false,
    },
    async ({ req, res, requestId }) => {
      if (!(await sessions.read(req))) return undefined;
      const session = await sessions.require(req, res);
      const user = await engine.call(engineApi.getMe, { token: session.token, requestId });
      return sessionInfo(user, session);
    },
  );
  route(
    {
      method: 'delete',
      path: '/session',
      operationId: 'logout',
      tag,
      summary: 'Log out (ends the session on every replica)',
      errors: [403],
      auth: false,
    },
    async ({ req, res, requestId }) => {
      const session = await sessions.read(req);
      if (session) {
        checkCsrf(req, session);
        deps.relay.endSession(session.token);
        await engine.call(engineApi.revokeToken, { token: session.token, requestId });
      }
      sessions.clear(req, res);
    },
  );
}
