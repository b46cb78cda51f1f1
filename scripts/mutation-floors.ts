/** Issue 27's target for every module of the core: Stryker's `break`. */
export const MUTATION_BREAK = 90;

/**
 * Modules still below the target, each held at the score it has reached (a ratchet: raise a
 * floor when its tests improve, remove it at 90). Measured by `npm run test:mutation`.
 */
export const MUTATION_FLOORS: Record<string, number> = {
  'packages/engine/src/master/enablement.ts': 89,
  'packages/engine/src/crypto/envelope.ts': 84,
  'packages/engine/src/master/migration.ts': 82,
};
