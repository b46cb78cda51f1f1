import { ActivityList } from '../activity.ts';
import {
  KEY_ALIAS_MEDIA_TYPE,
  KeyAliasCollection,
  KeyAliasParams,
  KeyIdParam,
  KeyProtectHeaders,
  KeyVersionCollection,
  PluginRegistration,
  PluginRegistrationParams,
  PluginRegistrationRequest,
  RegistrationCollection,
} from '../keys.ts';
import { operation } from './operation.ts';

export const listKeyVersions = operation({
  method: 'get',
  path: '/api/v2/keys/:id/versions',
  operationId: 'listKeyVersions',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "A root key's versions",
  params: KeyIdParam,
  response: KeyVersionCollection,
  errors: [403],
});
export const listKeyRegistrations = operation({
  method: 'get',
  path: '/api/v2/keys/:id/registrations',
  operationId: 'listKeyRegistrations',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Clusters that use a root key',
  params: KeyIdParam,
  response: RegistrationCollection,
  errors: [403],
});
export const registerKmsPlugin = operation({
  method: 'put',
  path: '/api/v2/keys/:id/registrations/:resource',
  operationId: 'registerKmsPlugin',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary:
    'Register a KMS plug-in with the root key (idempotent); answers with the key version and state',
  params: PluginRegistrationParams,
  body: PluginRegistrationRequest,
  response: PluginRegistration,
  errors: [403, 409],
});
export const deregisterKmsPlugin = operation({
  method: 'delete',
  path: '/api/v2/keys/:id/registrations/:resource',
  operationId: 'deregisterKmsPlugin',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "Remove a KMS plug-in's registration with the root key",
  params: PluginRegistrationParams,
  status: 204,
  errors: [403],
});
export const listKeyActivity = operation({
  method: 'get',
  path: '/api/v2/keys/:id/activity',
  operationId: 'listKeyActivity',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "A root key's activity, newest first",
  params: KeyIdParam,
  response: ActivityList,
  errors: [403],
});
export const createKeyAlias = operation({
  method: 'post',
  path: '/api/v2/keys/:id/aliases/:alias',
  operationId: 'createKeyAlias',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: 'Give a root key an alias (at most 5), usable wherever its id is',
  params: KeyAliasParams,
  response: KeyAliasCollection,
  status: 201,
  contentType: KEY_ALIAS_MEDIA_TYPE,
  errors: [403, 409],
});
export const deleteKeyAlias = operation({
  method: 'delete',
  path: '/api/v2/keys/:id/aliases/:alias',
  operationId: 'deleteKeyAlias',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "Remove one of a root key's aliases",
  params: KeyAliasParams,
  errors: [403, 404],
});
