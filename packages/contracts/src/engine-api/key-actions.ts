import {
  KeyIdParam,
  KeyProtectHeaders,
  UnwrapRequest,
  UnwrapResponse,
  WrapRequest,
  WrapResponse,
} from '../keys.ts';
import { operation } from './operation.ts';

export const wrapKey = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/wrap',
  operationId: 'wrapKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Wrap a data key (or a fresh 32-byte one) with the latest key version',
  params: KeyIdParam,
  body: WrapRequest,
  response: WrapResponse,
  errors: [403, 409],
});
export const unwrapKey = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/unwrap',
  operationId: 'unwrapKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Unwrap a data key with the version that wrapped it',
  params: KeyIdParam,
  body: UnwrapRequest,
  response: UnwrapResponse,
  errors: [403, 409],
});
export const rewrapKey = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/rewrap',
  operationId: 'rewrapKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Unwrap and wrap again with the latest key version',
  params: KeyIdParam,
  body: UnwrapRequest,
  response: WrapResponse,
  errors: [403, 409],
});
export const rotateKey = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/rotate',
  operationId: 'rotateKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary:
    'Rotate: a new key version; clusters using the key re-encrypt under it (R6). At most once an hour (429)',
  params: KeyIdParam,
  errors: [403, 409, 429],
});
export const disableKey = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/disable',
  operationId: 'disableKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Disable: clusters using the key cannot read secrets (R7)',
  params: KeyIdParam,
  errors: [403, 409],
});
export const enableKey = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/enable',
  operationId: 'enableKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Enable a disabled key: its clusters read secrets again',
  params: KeyIdParam,
  errors: [403, 409],
});
export const setKeyForDeletion = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/setKeyForDeletion',
  operationId: 'setKeyForDeletion',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary:
    'Dual authorization: authorize the deletion, which another Manager then makes within 7 days',
  params: KeyIdParam,
  errors: [403, 409],
});
export const unsetKeyForDeletion = operation({
  method: 'post',
  path: '/api/v2/keys/:id/actions/unsetKeyForDeletion',
  operationId: 'unsetKeyForDeletion',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Dual authorization: cancel the authorization to delete',
  params: KeyIdParam,
  errors: [403, 409],
});
