import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseSettings } from '@keyhaven/contracts';
import { defaultPkcs11Settings, type Pkcs11Settings } from '@keyhaven/engine';
import { TLS_SETTINGS, checkTlsSettings } from '@keyhaven/server';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** The engine's settings, from the environment, checked at start-up. */
export const EngineConfig = z
  .object({
    KEYHAVEN_ENGINE_HOST: z.string().default('127.0.0.1'),
    KEYHAVEN_ENGINE_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
    /** The engine's URL as KMS plug-ins reach it, for their setup files (default: the listener). */
    KEYHAVEN_PUBLIC_URL: z
      .url({ protocol: /^https?$/, error: 'must be the http(s) URL plug-ins reach the engine at' })
      .transform((v) => v.replace(/\/+$/, ''))
      .optional(),
    KEYHAVEN_DATA_DIR: z.string().min(1).default('./data'),
    ...TLS_SETTINGS,
    /**
     * With HTTPS: the CA that signs KMS plug-ins' client certificates. A plug-in identity is then
     * served only over a connection that presented one (mTLS, beside its API key).
     */
    KEYHAVEN_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
    KEYHAVEN_STORE: z.enum(['sqlite', 'etcd']).default('sqlite'),
    KEYHAVEN_KEY_ADAPTER: z.enum(['software', 'pkcs11']).default('software'),
    KEYHAVEN_DEMO: bool.default(true),
    KEYHAVEN_DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    /**
     * Without demo data: the file holding the first administrator's password. On a first start
     * the engine makes the account, its Key Protect instance and user `admin` with it.
     */
    KEYHAVEN_ADMIN_PASSWORD_FILE: z.string().min(1).optional(),
    KEYHAVEN_ACCOUNT_NAME: z.string().trim().min(1).max(100).default('Keyhaven'),
    /** The region the account's Key Protect instance names. */
    KEYHAVEN_REGION: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, 'must be a region name such as us-south')
      .default('local'),
    KEYHAVEN_DEMO_SECRETS: z.coerce.number().int().min(0).max(1_000_000).default(20_000),
    /** Demo clusters beside the three named ones (a larger fleet for the dashboard). */
    KEYHAVEN_DEMO_EXTRA_CLUSTERS: z.coerce.number().int().min(0).max(10_000).default(0),
    KEYHAVEN_JOB_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(1000),
    KEYHAVEN_JOB_PAUSE_MS: z.coerce.number().int().min(0).max(10_000).default(0),
    /** Connected clusters: most Secrets the storage migration writes back per second (0: no limit). */
    KEYHAVEN_MIGRATION_RATE: z.coerce.number().int().min(0).max(100_000).default(1000),
    KEYHAVEN_MIGRATION_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(250),
    /** Connected clusters: a KMS plug-in silent this long pauses a running migration. */
    KEYHAVEN_PLUGIN_SILENT_SECONDS: z.coerce.number().int().min(30).max(3600).default(150),
    /** How often one root key may be rotated by hand (Key Protect: once an hour). */
    KEYHAVEN_MANUAL_ROTATION_EVERY_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(86_400)
      .default(3600),
    /**
     * Runs the engine's clock ahead (rotation policies, authorizations, token lifetimes): to see
     * time-based policies act without waiting, never in production. At most 400 days.
     */
    KEYHAVEN_CLOCK_OFFSET_SECONDS: z.coerce.number().int().min(0).max(34_560_000).default(0),
    KEYHAVEN_DEK_MODE: z.enum(['seed', 'new-dek']).default('seed'),
    KEYHAVEN_DEK_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
    KEYHAVEN_LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    KEYHAVEN_ETCD_ENDPOINTS: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(z.url({ protocol: /^https?$/, error: 'each endpoint must be an http(s) URL' }))
          .min(1),
      )
      .optional(),
    /**
     * Addresses (CIDRs, comma-separated) a connected cluster's API server or etcd may not be at;
     * "none" allows every address. Default: link-local and cloud metadata addresses.
     */
    KEYHAVEN_CLUSTER_DENY: z
      .string()
      .transform((v) =>
        v.trim() === 'none'
          ? []
          : v
              .split(',')
              .map((c) => c.trim())
              .filter(Boolean),
      )
      .pipe(
        z.array(
          z.union([z.cidrv4(), z.cidrv6()], {
            error: 'each entry must be a CIDR such as 169.254.0.0/16',
          }),
        ),
      )
      .optional(),
    KEYHAVEN_ETCD_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    KEYHAVEN_KEK_FILE: z.string().min(1).optional(),
    /** The IAM token-signing key (0600, made once); default: beside the KEK file, as replicas share both. */
    KEYHAVEN_TOKEN_KEY_FILE: z.string().min(1).optional(),
    /** The key the console's BFF shows to name a user's address at login (0600, made once). */
    KEYHAVEN_LOGIN_PROXY_KEY_FILE: z.string().min(1).optional(),
    KEYHAVEN_ETCD_LEASE_TTL_SECONDS: z.coerce.number().int().min(2).max(60).default(5),
    KEYHAVEN_PKCS11_MODULE: z.string().min(1).default(defaultPkcs11Settings.modulePath),
    KEYHAVEN_PKCS11_TOKEN_LABEL: z
      .string()
      .min(1)
      .max(32, 'token labels have at most 32 characters')
      .optional(),
    KEYHAVEN_PKCS11_PIN: z.string().min(4, 'must be at least 4 characters').optional(),
    KEYHAVEN_PKCS11_PIN_FILE: z.string().min(1).optional(),
    KEYHAVEN_PKCS11_MAX_RETRIES: z.coerce
      .number()
      .int()
      .min(0)
      .max(10)
      .default(defaultPkcs11Settings.maxRetries),
  })
  .superRefine((c, ctx) => {
    const issueAt = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    checkTlsSettings(c, issueAt, [
      'KEYHAVEN_TLS_CERT_FILE',
      'KEYHAVEN_TLS_KEY_FILE',
      'KEYHAVEN_TLS_CLIENT_CA_FILE',
    ]);
    if (c.KEYHAVEN_TLS_CLIENT_CA_FILE && !c.KEYHAVEN_TLS_CERT_FILE)
      issueAt(
        'KEYHAVEN_TLS_CLIENT_CA_FILE',
        'client certificates need HTTPS: set KEYHAVEN_TLS_CERT_FILE and KEYHAVEN_TLS_KEY_FILE too',
      );
    if (c.KEYHAVEN_STORE === 'etcd' && !c.KEYHAVEN_ETCD_ENDPOINTS)
      ctx.addIssue({
        code: 'custom',
        path: ['KEYHAVEN_ETCD_ENDPOINTS'],
        message:
          'required with the etcd store: comma-separated client URLs, e.g. http://127.0.0.1:2379',
      });
    if (c.KEYHAVEN_ADMIN_PASSWORD_FILE !== undefined) {
      const password = readable(c.KEYHAVEN_ADMIN_PASSWORD_FILE);
      if (password === undefined)
        issueAt('KEYHAVEN_ADMIN_PASSWORD_FILE', `cannot read ${c.KEYHAVEN_ADMIN_PASSWORD_FILE}`);
      else if (password.length < 12)
        issueAt(
          'KEYHAVEN_ADMIN_PASSWORD_FILE',
          'the password in it must be at least 12 characters',
        );
    }
    const hsm = c.KEYHAVEN_KEY_ADAPTER === 'pkcs11' || c.KEYHAVEN_PKCS11_TOKEN_LABEL !== undefined;
    if (!hsm) return;
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (!c.KEYHAVEN_PKCS11_TOKEN_LABEL)
      issue(
        'KEYHAVEN_PKCS11_TOKEN_LABEL',
        'required with the pkcs11 key adapter: the label of the token that holds the root keys',
      );
    if (!existsSync(c.KEYHAVEN_PKCS11_MODULE))
      issue('KEYHAVEN_PKCS11_MODULE', `no PKCS#11 library at ${c.KEYHAVEN_PKCS11_MODULE}`);
    if ((c.KEYHAVEN_PKCS11_PIN === undefined) === (c.KEYHAVEN_PKCS11_PIN_FILE === undefined))
      issue(
        'KEYHAVEN_PKCS11_PIN',
        'set exactly one of KEYHAVEN_PKCS11_PIN and KEYHAVEN_PKCS11_PIN_FILE (the user PIN of the token)',
      );
    if (c.KEYHAVEN_PKCS11_PIN_FILE !== undefined) {
      try {
        accessSync(c.KEYHAVEN_PKCS11_PIN_FILE, constants.R_OK);
      } catch {
        issue('KEYHAVEN_PKCS11_PIN_FILE', `cannot read ${c.KEYHAVEN_PKCS11_PIN_FILE}`);
      }
    }
  });
export type EngineConfig = z.infer<typeof EngineConfig>;

/** A secret file's text, trimmed, or undefined when it cannot be read. */
export function readable(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Parses the environment or throws an error naming every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  return parseSettings(EngineConfig, env, 'engine');
}

/** The HSM settings, when a token is configured; the PIN comes from the environment or a file. */
export function pkcs11Settings(config: EngineConfig): Pkcs11Settings | undefined {
  if (!config.KEYHAVEN_PKCS11_TOKEN_LABEL) return undefined;
  const pin =
    config.KEYHAVEN_PKCS11_PIN ??
    readFileSync(config.KEYHAVEN_PKCS11_PIN_FILE ?? '', 'utf8').trim();
  return {
    ...defaultPkcs11Settings,
    modulePath: config.KEYHAVEN_PKCS11_MODULE,
    tokenLabel: config.KEYHAVEN_PKCS11_TOKEN_LABEL,
    pin,
    maxRetries: config.KEYHAVEN_PKCS11_MAX_RETRIES,
  };
}
