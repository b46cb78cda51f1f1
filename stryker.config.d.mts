import type { PartialStrykerOptions } from '@stryker-mutator/api/core';

/** stryker.config.mjs's type, for scripts/mutation.ts, which reads its `mutate` and `break`. */
declare const config: PartialStrykerOptions;
export default config;
