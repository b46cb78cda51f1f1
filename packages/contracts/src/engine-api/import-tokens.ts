import { ImportToken, ImportTokenCreateRequest, ImportTokenRetrieval } from '../import-tokens.ts';
import { KeyProtectHeaders } from '../keys.ts';
import { operation } from './operation.ts';

export const createImportToken = operation({
  method: 'post',
  path: '/api/v2/import_token',
  operationId: 'createImportToken',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "Make the instance's import token (an RSA-4096 key pair in the key adapter)",
  body: ImportTokenCreateRequest,
  bodyOptional: true,
  response: ImportToken,
  status: 201,
  errors: [403, 404],
});
export const getImportToken = operation({
  method: 'get',
  path: '/api/v2/import_token',
  operationId: 'getImportToken',
  tag: 'Key Protect',
  headers: KeyProtectHeaders,
  summary: "The import token's public key and nonce (each read uses one retrieval)",
  response: ImportTokenRetrieval,
  errors: [403, 404, 409],
});
