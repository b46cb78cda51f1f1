// Worker threads do not inherit the parent's tsx loader (`node --import tsx`, or a test runner's
// transform): register tsx here, then load the TypeScript worker through it.
import { tsImport } from 'tsx/esm/api';

await tsImport('./reseal-worker.ts', import.meta.url);
