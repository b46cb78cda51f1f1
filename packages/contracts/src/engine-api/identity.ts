import { z } from 'zod';
import {
  ApiKeyCreate,
  ApiKeyCreated,
  ApiKeySummary,
  Me,
  TokenRequest,
  TokenResponse,
} from '../identity.ts';
import { KeyIdParam } from '../keys.ts';
import { operation } from './operation.ts';

export const createToken = operation({
  method: 'post',
  path: '/identity/token',
  operationId: 'createToken',
  tag: 'IAM',
  summary: 'Exchange an API key or password for a bearer token',
  body: TokenRequest,
  response: TokenResponse,
  errors: [401, 429],
  auth: false,
});
export const revokeToken = operation({
  method: 'post',
  path: '/identity/revoke',
  operationId: 'revokeToken',
  tag: 'IAM',
  summary: 'Revoke the bearer token (logout)',
  errors: [401],
  auth: false,
});
export const getMe = operation({
  method: 'get',
  path: '/identity/me',
  operationId: 'getMe',
  tag: 'IAM',
  summary: 'Who the token belongs to, with roles',
  response: Me,
});
export const listApiKeys = operation({
  method: 'get',
  path: '/identity/apikeys',
  operationId: 'listApiKeys',
  tag: 'IAM',
  summary: "List the caller's API keys",
  response: z.array(ApiKeySummary),
});
export const createApiKey = operation({
  method: 'post',
  path: '/identity/apikeys',
  operationId: 'createApiKey',
  tag: 'IAM',
  summary: 'Create an API key (shown once)',
  body: ApiKeyCreate,
  response: ApiKeyCreated,
  status: 201,
});
export const deleteApiKey = operation({
  method: 'delete',
  path: '/identity/apikeys/:id',
  operationId: 'deleteApiKey',
  tag: 'IAM',
  summary: 'Revoke an API key',
  params: KeyIdParam,
});
