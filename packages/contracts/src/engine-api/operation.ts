import type { Operation } from '../openapi.ts';

/**
 * Declares one operation of the engine's API. The engine serves it, OpenAPI documents it and
 * every client calls it from this one declaration; its schemas keep their types, so a handler, a
 * caller and a contract change meet at compile time.
 */
export const operation = <const O extends Operation>(op: O): O => op;

/** Key Protect's media type for root keys and their collections. */
export const KEY_MEDIA_TYPE = 'application/vnd.ibm.kms.key+json';
