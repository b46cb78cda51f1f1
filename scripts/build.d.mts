/** Types of scripts/build.mjs for the TypeScript that starts built services. */
export declare const SERVICES: Record<
  'engine' | 'bff' | 'kms-plugin',
  { source: string; bundle: string }
>;
export declare function serviceArgs(name: keyof typeof SERVICES): string[];
export declare function buildServices(): Promise<void>;
export declare function buildConsole(): void;
