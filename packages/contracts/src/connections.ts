import { z } from 'zod';
import { isPlainLine } from './format.ts';
import { Id } from './common.ts';
import { PluginResource } from './keys.ts';

/**
 * Connected clusters: a real Kubernetes API server that Keyhaven reaches with a URL, its CA
 * certificate and a service-account token, beside the demo clusters the engine simulates.
 */

const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;

const certificate = (what: string) =>
  z
    .string()
    .trim()
    .max(64 * 1024, `${what} must be at most 64 KiB`)
    .regex(PEM_CERTIFICATE, `${what} must be PEM ("-----BEGIN CERTIFICATE-----" …)`);

const httpsUrl = (what: string) =>
  z
    .url({ error: `${what} must be a URL` })
    .max(2048)
    .refine((v) => URL.parse(v)?.protocol === 'https:', `${what} must start with https://`)
    .refine((v) => {
      const url = URL.parse(v);
      return !url?.username && !url?.password;
    }, `${what} must not hold a user name or password (the token is given apart)`)
    .transform((v) => v.replace(/\/+$/, ''));

/** Access to the cluster's etcd, for the Verify view only: optional at connect time. */
export const EtcdAccess = z.object({
  endpoints: z.array(httpsUrl('each etcd endpoint')).min(1).max(9),
  caCertificate: certificate('caCertificate'),
  clientCertificate: certificate('clientCertificate'),
  clientKey: z
    .string()
    .trim()
    .max(64 * 1024)
    .regex(/^-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+-----END [A-Z ]*PRIVATE KEY-----$/, {
      message: 'clientKey must be a PEM private key',
    }),
});
export type EtcdAccess = z.infer<typeof EtcdAccess>;

export const ConnectClusterRequest = z.object({
  name: z
    .string()
    .trim()
    .regex(
      /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/,
      'name must be 1 to 32 lowercase letters, digits or "-", starting and ending with a letter or digit',
    ),
  server: httpsUrl('server'),
  caCertificate: certificate('caCertificate'),
  token: z
    .string()
    .trim()
    .min(1, 'token is required')
    .max(16 * 1024, 'token must be at most 16 KiB')
    .regex(/^[\x21-\x7e]+$/, 'token must be printable ASCII without spaces'),
  etcd: EtcdAccess.optional(),
});
export type ConnectClusterRequest = z.infer<typeof ConnectClusterRequest>;

/** What a connected cluster shows of its connection; the token and etcd key never leave. */
export const Connection = z.object({
  server: z.string(),
  connectedAt: z.string(),
  etcd: z.boolean(),
  /** Each KMS plug-in of the cluster (one per API server), as it last reported. */
  plugins: z.array(
    z.object({
      resource: PluginResource,
      healthz: z.string(),
      keyId: z.string().optional(),
      reportedAt: z.string(),
      /**
       * Silent for longer than PLUGIN_STALE_MINUTES: its API server may be gone. The cluster
       * still waits for it at a key change until an Administrator removes it.
       */
      stale: z.boolean(),
    }),
  ),
});
export type Connection = z.infer<typeof Connection>;

/** A plug-in reports at each Status of its API server (about once a minute), or every 30 s. */
export const PLUGIN_STALE_MINUTES = 5;

export const PluginReportParams = z.object({ id: Id, resource: PluginResource });
export const PluginKeyParams = z.object({ id: Id, keyId: z.uuid() });

/**
 * What a KMS plug-in following a cluster tells the engine: the health it answered the API server's
 * Status with, and the key_id of the last Encrypt (the API server took that key then).
 */
export const PluginReport = z.object({
  resource: PluginResource,
  healthz: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .refine(isPlainLine, 'must be one line without control characters'),
  encryptKeyId: z
    .string()
    .min(1)
    .max(1023)
    .refine(isPlainLine, 'must be one line without control characters')
    .optional(),
});
export type PluginReport = z.infer<typeof PluginReport>;

/**
 * What an administrator installs on the cluster: the API server's EncryptionConfiguration and the
 * plug-in's configuration file, with a new API key that may only serve this cluster's plug-in.
 */
export const KmsPluginSetup = z.object({
  encryptionConfiguration: z.string(),
  pluginConfig: z.string(),
  apiKeyId: z.string(),
});
export type KmsPluginSetup = z.infer<typeof KmsPluginSetup>;
