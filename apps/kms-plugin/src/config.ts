import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { KEY_ID_PART, PluginResource } from '@keyhaven/contracts';

// kmsplugin-config.yaml, in seed 004's sections and names. Values take the seed's own forms
// (quoted numbers, `HEALTHZ_PORT: ":20358"`), so a file written like the seed's works as it is.

/** Settings of the KMS v1 plug-in that KMS v2 has no use for: read, then ignored with a warning. */
export const IGNORED_SETTINGS = {
  'SERVER_CONFIG.NUM_LEN_BYTES':
    'the API server makes the DEK seed (32 bytes) in KMS v2; the plug-in only wraps it',
  'SERVER_CONFIG.NEW_DEK':
    'the API server derives a fresh key for every write from its seed in KMS v2',
  'SERVER_CONFIG.REGION': 'the engine URL names where the keys are',
} as const;

const count = (name: string, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v),
    z
      .number({ error: `${name} must be a number` })
      .min(0, `${name} must be 0 or more`)
      .max(max, `${name} must be at most ${max}`),
  );

const flag = (name: string) =>
  z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v),
    z.boolean({ error: `${name} must be true or false` }),
  );

/**
 * ":20358", "127.0.0.1:20358" or 20358, as Go's listen addresses are written. Without a host it
 * listens on loopback only: metrics and health are for this node (a probe with `host:
 * 127.0.0.1`), "0.0.0.0:20358" opens them to the network on purpose.
 */
const listenAddress = z.preprocess(
  (v) => (typeof v === 'number' ? `:${v}` : v),
  z
    .string()
    .regex(/^([^:\s]*):(\d{1,5})$/, 'HEALTHZ_PORT must look like ":20358" or "127.0.0.1:20358"')
    .transform((v) => {
      const at = v.lastIndexOf(':');
      return { host: v.slice(0, at) || '127.0.0.1', port: Number(v.slice(at + 1)) };
    })
    .refine((a) => a.port <= 65_535, 'HEALTHZ_PORT must be a port number up to 65535'),
);

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
/** The engine's URLs: HTTPS, or plain HTTP on loopback only (the API key travels in the body). */
const engineUrl = (name: string) =>
  z
    .url({ error: `${name} must be a URL` })
    .refine((v) => {
      // Runs after a failed URL check too: an unparsable value is that check's to report.
      const url = URL.parse(v);
      return (
        !url ||
        url.protocol === 'https:' ||
        (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
      );
    }, `${name} must be https://, or http:// to a loopback address`)
    .transform((v) => v.replace(/\/+$/, ''));

const ServerConfig = z
  .object({
    UNIX_SOCKET_PATH: z
      .string({ error: 'UNIX_SOCKET_PATH is required' })
      .regex(/^\//, 'UNIX_SOCKET_PATH must be an absolute path')
      .max(107, 'UNIX_SOCKET_PATH must be at most 107 bytes (the limit of a unix socket address)'),
    HEALTHZ_PATH: z
      .string()
      .regex(/^\/[A-Za-z0-9/_-]*$/, 'HEALTHZ_PATH must be a path such as "/healthz"')
      .default('/healthz')
      .transform((v) => v.replace(/\/+$/, '')),
    HEALTHZ_PORT: listenAddress.default({ host: '127.0.0.1', port: 20358 }),
    CACHE_TIMEOUT_IN_HOURS: count('CACHE_TIMEOUT_IN_HOURS', 24 * 365).default(1),
    MAX_RETRIES: count('MAX_RETRIES', 10).default(0),
    RESTART_DELAY_IN_SECONDS: count('RESTART_DELAY_IN_SECONDS', 3600).default(30),
    TOKEN_URL: engineUrl('TOKEN_URL'),
    TOKEN_URL_CA_FILE: z.string().optional(),
    API_KEY: z.string().min(1).optional(),
    API_KEY_FILE: z.string().min(1).optional(),
    /**
     * A connected cluster in Keyhaven: the plug-in then follows the root key that the cluster's
     * KMS configuration names (KP_CONFIG.INSTANCE_ID and CRK_ID are left out).
     */
    CLUSTER_ID: z.string().regex(KEY_ID_PART, 'CLUSTER_ID must be a cluster id').optional(),
    /** Names this plug-in in the root key's registrations: its cluster, or the host it runs on. */
    CLUSTER_NAME: z.string().trim().min(1).max(100).optional(),
    NUM_LEN_BYTES: z.unknown().optional(),
    NEW_DEK: z.unknown().optional(),
    REGION: z.unknown().optional(),
  })
  .strict()
  .refine((c) => (c.API_KEY === undefined) !== (c.API_KEY_FILE === undefined), {
    message: 'give exactly one of API_KEY and API_KEY_FILE',
    path: ['API_KEY'],
  })
  .refine((c) => c.API_KEY === undefined || !/^<.*>?$/.test(c.API_KEY), {
    message: 'API_KEY still holds the placeholder from the example; put your API key there',
    path: ['API_KEY'],
  });

const KpConfig = z
  .object({
    VERSION: z.preprocess((v) => Number(v), z.literal(1)).optional(),
    URL: engineUrl('URL'),
    KP_CA_FILE: z.string().optional(),
    /** The plug-in's client certificate and key, for an engine that asks for them (mTLS). */
    KP_CLIENT_CERT_FILE: z.string().optional(),
    KP_CLIENT_KEY_FILE: z.string().optional(),
    INSTANCE_ID: z.string().regex(KEY_ID_PART, 'INSTANCE_ID must be an instance id').optional(),
    CRK_ID: z.string().regex(KEY_ID_PART, 'CRK_ID must be a root key id').optional(),
  })
  .strict()
  .refine((c) => (c.KP_CLIENT_CERT_FILE === undefined) === (c.KP_CLIENT_KEY_FILE === undefined), {
    message: 'give KP_CLIENT_CERT_FILE and KP_CLIENT_KEY_FILE together, or neither',
    path: ['KP_CLIENT_CERT_FILE'],
  });

const LoggerConfig = z
  .object({
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
    LOG_ALL_VALUES: flag('LOG_ALL_VALUES').default(false),
  })
  .strict();

const FileConfig = z
  .object({
    SERVER_CONFIG: ServerConfig,
    KP_CONFIG: KpConfig,
    LOGGER: LoggerConfig.default({ LOG_LEVEL: 'info', LOG_ALL_VALUES: false }),
  })
  .strict()
  .superRefine(
    (c, ctx) => {
      // Runs beside the other problems too: a misspelt INSTANCE_ID is both unknown and missing.
      if (typeof c.KP_CONFIG !== 'object' || c.KP_CONFIG === null) return;
      const following = c.SERVER_CONFIG?.CLUSTER_ID !== undefined;
      for (const name of ['INSTANCE_ID', 'CRK_ID'] as const) {
        const given = c.KP_CONFIG?.[name] !== undefined;
        if (given === !following) continue;
        ctx.addIssue({
          code: 'custom',
          path: ['KP_CONFIG', name],
          message: following
            ? `${name} must be left out with SERVER_CONFIG.CLUSTER_ID: the plug-in follows the cluster's root key`
            : `${name} is missing: give INSTANCE_ID and CRK_ID, or SERVER_CONFIG.CLUSTER_ID to follow a connected cluster`,
        });
      }
    },
    { when: () => true },
  );

export interface PluginConfig {
  socketPath: string;
  healthz: { path: string; host: string; port: number };
  cacheTimeoutMs: number;
  maxRetries: number;
  restartDelayMs: number;
  tokenUrl: string;
  tokenCa?: Buffer;
  apiKey: string;
  engineUrl: string;
  engineCa?: Buffer;
  /** The client certificate and key the plug-in presents to the engine (mTLS). */
  engineClientCert?: { cert: Buffer; key: Buffer };
  /** A fixed root key: its instance and id (absent when the plug-in follows a cluster). */
  instanceId?: string;
  rootKeyId?: string;
  /** The connected cluster whose KMS configuration names the root key. */
  clusterId?: string;
  /** This plug-in's resource name in the key's registrations, and how it is described there. */
  resource: string;
  description: string;
  logLevel: string;
  logAllValues: boolean;
  /** Settings read but without meaning in KMS v2, each with why. */
  ignored: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function readFile(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      `${what} ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

const resourceOf = (name: string) => {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return PluginResource.parse(`kms-plugin:${slug || 'unnamed'}`);
};

const valueAt = (raw: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (at, key) =>
      at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined,
    raw,
  );

/** Parses the file's text; every problem is named by its section and setting. */
export function parseConfig(text: string): PluginConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`the configuration is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = FileConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.') || 'the file';
      if (issue.code === 'unrecognized_keys')
        return `${where}: unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined)
        return `${where} is missing`;
      return `${where}: ${issue.message}`;
    });
    throw new ConfigError(`the configuration is not valid:\n  ${problems.join('\n  ')}`);
  }
  const { SERVER_CONFIG: server, KP_CONFIG: kp, LOGGER: logger } = parsed.data;
  const apiKey =
    server.API_KEY ??
    readFile(server.API_KEY_FILE ?? '', 'API_KEY_FILE')
      .toString('utf8')
      .trim();
  if (!apiKey) throw new ConfigError('SERVER_CONFIG.API_KEY_FILE is empty');
  const name = server.CLUSTER_NAME ?? hostname();
  return {
    socketPath: server.UNIX_SOCKET_PATH,
    healthz: { path: server.HEALTHZ_PATH, ...server.HEALTHZ_PORT },
    cacheTimeoutMs: server.CACHE_TIMEOUT_IN_HOURS * 3_600_000,
    maxRetries: server.MAX_RETRIES,
    restartDelayMs: server.RESTART_DELAY_IN_SECONDS * 1000,
    tokenUrl: server.TOKEN_URL,
    ...(server.TOKEN_URL_CA_FILE && {
      tokenCa: readFile(server.TOKEN_URL_CA_FILE, 'TOKEN_URL_CA_FILE'),
    }),
    apiKey,
    engineUrl: kp.URL,
    ...(kp.KP_CA_FILE && { engineCa: readFile(kp.KP_CA_FILE, 'KP_CA_FILE') }),
    ...(kp.KP_CLIENT_CERT_FILE &&
      kp.KP_CLIENT_KEY_FILE && {
        engineClientCert: {
          cert: readFile(kp.KP_CLIENT_CERT_FILE, 'KP_CLIENT_CERT_FILE'),
          key: readFile(kp.KP_CLIENT_KEY_FILE, 'KP_CLIENT_KEY_FILE'),
        },
      }),
    ...(kp.INSTANCE_ID && { instanceId: kp.INSTANCE_ID }),
    ...(kp.CRK_ID && { rootKeyId: kp.CRK_ID }),
    ...(server.CLUSTER_ID && { clusterId: server.CLUSTER_ID }),
    resource: resourceOf(name),
    description: server.CLUSTER_NAME ?? `KMS plug-in on ${name}`,
    logLevel: logger.LOG_LEVEL,
    logAllValues: logger.LOG_ALL_VALUES,
    ignored: Object.entries(IGNORED_SETTINGS)
      .filter(([path]) => {
        const key = path.split('.')[1] as 'NUM_LEN_BYTES' | 'NEW_DEK' | 'REGION';
        return server[key] !== undefined;
      })
      .map(([path, why]) => `${path} is ignored: ${why}.`),
  };
}

export function loadConfig(file: string): PluginConfig {
  return parseConfig(readFile(file, 'the configuration file').toString('utf8'));
}
