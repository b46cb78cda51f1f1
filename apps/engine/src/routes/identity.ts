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
import type { RouteDeps } from './route.ts';

/** IAM: tokens for API keys and passwords, who the caller is, and the caller's API keys. */
export function identityRoutes({ route, engine }: RouteDeps) {
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
      errors: [401],
      auth: false,
    },
    ({ body }) => engine.iam.token(body),
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
