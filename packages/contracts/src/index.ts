export * from './common.ts';
export * from './identity.ts';
export * from './keys.ts';
export * from './clusters.ts';
export * from './secrets.ts';
export * from './activity.ts';
export * from './openapi.ts';
export * from './bff.ts';
