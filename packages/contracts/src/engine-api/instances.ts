import { InstanceCollection } from '../keys.ts';
import { operation } from './operation.ts';

export const listKmsInstances = operation({
  method: 'get',
  path: '/v2/kms/instances',
  operationId: 'listKmsInstances',
  tag: 'Key Protect',
  summary: 'KMS instances the caller can read',
  response: InstanceCollection,
});
