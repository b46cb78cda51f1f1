import {
  DeleteKeyQuery,
  KeyCollection,
  KeyCreateRequest,
  KeyIdParam,
  KeyProtectHeaders,
} from '../keys.ts';
import { KEY_MEDIA_TYPE, operation } from './operation.ts';

export const listKeys = operation({
  method: 'get',
  path: '/api/v2/keys',
  operationId: 'listKeys',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "List an instance's root keys (Bluemix-Instance header)",
  response: KeyCollection,
  contentType: KEY_MEDIA_TYPE,
  errors: [400, 403, 404],
});
export const createKey = operation({
  method: 'post',
  path: '/api/v2/keys',
  operationId: 'createKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Create a root key',
  body: KeyCreateRequest,
  response: KeyCollection,
  status: 201,
  contentType: KEY_MEDIA_TYPE,
  errors: [403, 404, 409],
});
export const getKey = operation({
  method: 'get',
  path: '/api/v2/keys/:id',
  operationId: 'getKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'One root key',
  params: KeyIdParam,
  response: KeyCollection,
  contentType: KEY_MEDIA_TYPE,
  errors: [403],
});
export const deleteKey = operation({
  method: 'delete',
  path: '/api/v2/keys/:id',
  operationId: 'deleteKey',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Delete a root key (force=true if clusters use it)',
  params: KeyIdParam,
  query: DeleteKeyQuery,
  response: KeyCollection,
  contentType: KEY_MEDIA_TYPE,
  errors: [403, 409],
});
