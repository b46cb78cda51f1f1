import {
  KeyIdParam,
  UnwrapRequest,
  UnwrapResponse,
  WrapRequest,
  WrapResponse,
  KeyProtectHeaders,
} from '@keyhaven/contracts';
import { instanceHeader, type RouteDeps } from './route.ts';

/**
 * Key Protect's key actions, one path each: wrap, unwrap and rewrap for API callers (the KMS
 * plug-in among them), and rotate, disable and enable, which every cluster using the key follows.
 */
export function keyActionRoutes({ route, engine }: RouteDeps) {
  const tag = 'Key Protect';
  const path = (action: string) => `/api/v2/keys/:id/actions/${action}`;
  route(
    {
      method: 'post',
      path: path('wrap'),
      operationId: 'wrapKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Wrap a data key (or a fresh 32-byte one) with the latest key version',
      params: KeyIdParam,
      body: WrapRequest,
      response: WrapResponse,
      errors: [403, 409],
    },
    ({ req, principal, params, body }) =>
      engine.wrapping.wrap(principal, instanceHeader(req), params.id, body),
  );
  route(
    {
      method: 'post',
      path: path('unwrap'),
      operationId: 'unwrapKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Unwrap a data key with the version that wrapped it',
      params: KeyIdParam,
      body: UnwrapRequest,
      response: UnwrapResponse,
      errors: [403, 409],
    },
    ({ req, principal, params, body }) =>
      engine.wrapping.unwrap(principal, instanceHeader(req), params.id, body),
  );
  route(
    {
      method: 'post',
      path: path('rewrap'),
      operationId: 'rewrapKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Unwrap and wrap again with the latest key version',
      params: KeyIdParam,
      body: UnwrapRequest,
      response: WrapResponse,
      errors: [403, 409],
    },
    ({ req, principal, params, body }) =>
      engine.wrapping.rewrap(principal, instanceHeader(req), params.id, body),
  );
  route(
    {
      method: 'post',
      path: path('rotate'),
      operationId: 'rotateKey',
      tag,
      headers: KeyProtectHeaders,
      summary: 'Rotate: a new key version; clusters using the key re-encrypt under it (R6)',
      params: KeyIdParam,
      errors: [403, 409],
    },
    async ({ req, principal, params }) => {
      await engine.keyLifecycle.rotate(principal, instanceHeader(req), params.id);
    },
  );
  for (const action of ['disable', 'enable'] as const) {
    route(
      {
        method: 'post',
        path: path(action),
        operationId: `${action}Key`,
        tag,
        headers: KeyProtectHeaders,
        summary:
          action === 'disable'
            ? 'Disable: clusters using the key cannot read secrets (R7)'
            : 'Enable a disabled key: its clusters read secrets again',
        params: KeyIdParam,
        errors: [403, 409],
      },
      async ({ req, principal, params }) => {
        await engine.keyLifecycle.setEnabled(
          principal,
          instanceHeader(req),
          params.id,
          action === 'enable',
        );
      },
    );
  }
}
