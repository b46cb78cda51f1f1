import * as authorizations from './authorizations.ts';
import * as clusters from './clusters.ts';
import * as identity from './identity.ts';
import * as importTokens from './import-tokens.ts';
import * as instances from './instances.ts';
import * as keyActions from './key-actions.ts';
import * as keyDetails from './key-details.ts';
import * as keyPolicies from './key-policies.ts';
import * as keys from './keys.ts';
import * as secrets from './secrets.ts';
import * as users from './users.ts';

export { KEY_MEDIA_TYPE } from './operation.ts';

/**
 * The engine's HTTP API as data: every operation by its operationId. The engine declares its
 * routes from it and the BFF, the CLI and the KMS plug-in call it through `EngineClient`; no other
 * module spells an engine path.
 */
export const engineApi = {
  ...identity,
  ...users,
  ...instances,
  ...keys,
  ...keyDetails,
  ...keyActions,
  ...keyPolicies,
  ...importTokens,
  ...authorizations,
  ...clusters,
  ...secrets,
};

export type EngineApi = typeof engineApi;
export type EngineOperationId = keyof EngineApi;
export * from './client.ts';
export * from './token.ts';
export * from './status-stream.ts';
export * from './backoff.ts';
