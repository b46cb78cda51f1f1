import { z } from 'zod';
import { parseSettings } from '@keyhaven/contracts';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The engine's settings, from the environment, checked at start-up. */
export const EngineConfig = z.object({
  KEYHAVEN_ENGINE_HOST: z.string().default('127.0.0.1'),
  KEYHAVEN_ENGINE_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  KEYHAVEN_DATA_DIR: z.string().min(1).default('./data'),
  KEYHAVEN_STORE: z.enum(['sqlite', 'etcd']).default('sqlite'),
  KEYHAVEN_KEY_ADAPTER: z.enum(['software', 'pkcs11']).default('software'),
  KEYHAVEN_DEMO: bool.default(true),
  KEYHAVEN_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  KEYHAVEN_DEMO_SECRETS: z.coerce.number().int().min(0).max(1_000_000).default(20_000),
  KEYHAVEN_JOB_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(1000),
  KEYHAVEN_JOB_PAUSE_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  KEYHAVEN_DEK_MODE: z.enum(['seed', 'new-dek']).default('seed'),
  KEYHAVEN_DEK_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  KEYHAVEN_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});
export type EngineConfig = z.infer<typeof EngineConfig>;

/** Parses the environment or throws an error naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  return parseSettings(EngineConfig, env, 'engine');
}
