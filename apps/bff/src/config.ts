import { z } from 'zod';
import { parseSettings } from '@keyhaven/contracts';
import { TLS_SETTINGS, checkTlsSettings } from '@keyhaven/server';

/** The BFF's settings, from the environment, checked at start-up. */
export const BffConfig = z
  .object({
    KEYHAVEN_HOST: z.string().default('127.0.0.1'),
    KEYHAVEN_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    KEYHAVEN_ENGINE_PORT: z.coerce.number().int().min(1).max(65535).default(8081),
    /** Comma-separated engine base URLs; defaults to the local engine. */
    KEYHAVEN_ENGINE_URL: z.string().optional(),
    KEYHAVEN_DATA_DIR: z.string().min(1).default('./data'),
    ...TLS_SETTINGS,
    /** 32+ characters shared by every BFF replica; created in the data dir when unset. */
    KEYHAVEN_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    KEYHAVEN_WEB_DIST: z.string().default('dist/web'),
    /**
     * The reverse proxy in front of the console whose X-Forwarded-* headers count (an address,
     * a subnet, "loopback", comma-separated); unset: none, the client's address is the socket's.
     */
    KEYHAVEN_TRUST_PROXY: z.string().min(1).optional(),
    /** The engine's login-proxy key, to name the user's address at login (default: data dir). */
    KEYHAVEN_LOGIN_PROXY_KEY_FILE: z.string().min(1).optional(),
    KEYHAVEN_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .superRefine((c, ctx) =>
    checkTlsSettings(c, (path, message) => ctx.addIssue({ code: 'custom', path: [path], message })),
  )
  .transform((c) => ({
    ...c,
    engineUrls: (c.KEYHAVEN_ENGINE_URL ?? `http://127.0.0.1:${c.KEYHAVEN_ENGINE_PORT}`)
      .split(',')
      .map((u) => u.trim().replace(/\/$/, '')),
  }))
  .refine((c) => c.engineUrls.every((u) => /^https?:\/\/[^/]+$/.test(u)), {
    message: 'must be http(s)://host:port URLs, comma-separated',
    path: ['KEYHAVEN_ENGINE_URL'],
  });
export type BffConfig = z.infer<typeof BffConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BffConfig {
  return parseSettings(BffConfig, env, 'BFF');
}
