import { z } from 'zod';
import {
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeySummary,
  KeyIdParam,
  Me,
  TokenRequest,
  TokenResponse,
} from '@keyhaven/contracts';
import { EngineError } from '@keyhaven/engine';
import { clientAddress } from '@keyhaven/server';
import type { LoginDeps, RouteDeps } from './route.ts';

/** Whom a token request tries to log in as: the username, or the API key's id. */
const subjectOf = (request: TokenRequest) =>
  request.grant_type === 'password'
    ? request.username
    : `apikey:${/^khk_([a-f0-9-]{36})_/.exec(request.apikey)?.[1] ?? 'malformed'}`;

/** IAM: tokens for API keys and passwords, who the caller is, and the caller's API keys. */
export function identityRoutes({ route, engine }: RouteDeps, login: LoginDeps) {
  const tag = 'IAM';
  route(
    {
      method: 'post',
      path: '/identity/token',
      operationId: 'createToken',
      tag,
      summary: 'Exchange an API key or password for a bearer token',
      body: TokenRequest,
      response: TokenResponse,
      errors: [401, 429],
      auth: false,
    },
    async ({ req, body }) => {
      const verdict = login.guard.attempt(subjectOf(body), clientAddress(req, login.proxyKey));
      if (!verdict.allowed)
        throw new EngineError(
          429,
          'TOO_MANY_ATTEMPTS',
          verdict.message,
          undefined,
          verdict.retryAfterSeconds,
        );
      try {
        const token = await engine.iam.token(body);
        verdict.done('success');
        return token;
      } catch (err) {
        verdict.done(err instanceof EngineError && err.status === 401 ? 'failure' : 'void');
        throw err;
      }
    },
  );
  route(
    {
      method: 'post',
      path: '/identity/revoke',
      operationId: 'revokeToken',
      tag,
      summary: 'Revoke the bearer token (logout)',
      errors: [401],
      auth: false,
    },
    async ({ req }) => {
      await engine.iam.revoke(req.headers.authorization);
    },
  );
  route(
    {
      method: 'get',
      path: '/identity/me',
      operationId: 'getMe',
      tag,
      summary: 'Who the token belongs to, with roles',
      response: Me,
    },
    async ({ principal }) => engine.iam.me(principal),
  );
  route(
    {
      method: 'get',
      path: '/identity/apikeys',
      operationId: 'listApiKeys',
      tag,
      summary: "List the caller's API keys",
      response: z.array(ApiKeySummary),
    },
    ({ principal }) => engine.iam.listApiKeys(principal),
  );
  route(
    {
      method: 'post',
      path: '/identity/apikeys',
      operationId: 'createApiKey',
      tag,
      summary: 'Create an API key (shown once)',
      body: ApiKeyCreate,
      response: ApiKeyCreated,
      status: 201,
    },
    ({ principal, body }) => engine.iam.createApiKey(principal, body.name),
  );
  route(
    {
      method: 'delete',
      path: '/identity/apikeys/:id',
      operationId: 'deleteApiKey',
      tag,
      summary: 'Revoke an API key',
      params: KeyIdParam,
    },
    async ({ principal, params }) => {
      await engine.iam.revokeApiKey(principal, params.id);
    },
  );
}
