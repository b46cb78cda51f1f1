/**
 * The files that set a connected cluster up for Keyhaven's KMS plug-in: the API server's
 * EncryptionConfiguration and the plug-in's kmsplugin-config.yaml (seed 004's sections).
 */

export const PLUGIN_SOCKET = '/var/run/keyhaven/kms.sock';

/** Secrets through the plug-in; identity after it reads what was stored before. */
export const encryptionConfiguration = (
  socketPath = PLUGIN_SOCKET,
) => `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - kms:
          apiVersion: v2
          name: keyhaven
          endpoint: unix://${socketPath}
          timeout: 5s
      - identity: {}
`;

/** Where the setup expects the TLS files on the control-plane node (the seed's folder). */
export const PLUGIN_TLS_FILES = {
  ca: '/etc/kubernetes/kms/keyhaven-ca.crt',
  cert: '/etc/kubernetes/kms/kms-plugin.crt',
  key: '/etc/kubernetes/kms/kms-plugin.key',
};

/** What the engine asks of its clients' TLS, for the plug-in's settings. */
export interface EngineTls {
  /** The engine serves HTTPS: the plug-in verifies it with KP_CA_FILE. */
  https: boolean;
  /** The engine asks plug-ins for a client certificate (mTLS). */
  clientCertificates: boolean;
}

/** kmsplugin-config.yaml in seed 004's sections, following the cluster (no fixed CRK_ID). */
export const pluginConfig = (
  engineUrl: string,
  clusterId: string,
  apiKey: string,
  tls: EngineTls = { https: engineUrl.startsWith('https:'), clientCertificates: false },
) => `SERVER_CONFIG:
  UNIX_SOCKET_PATH: "${PLUGIN_SOCKET}"
  TOKEN_URL: "${engineUrl}/identity/token"
${tls.https ? `  TOKEN_URL_CA_FILE: "${PLUGIN_TLS_FILES.ca}"\n` : ''}  API_KEY: "${apiKey}"
  CLUSTER_ID: "${clusterId}"
  HEALTHZ_PATH: "/healthz"
  HEALTHZ_PORT: "127.0.0.1:20358"
  CACHE_TIMEOUT_IN_HOURS: 1
  MAX_RETRIES: 2
KP_CONFIG:
  URL: "${engineUrl}"
${tls.https ? `  KP_CA_FILE: "${PLUGIN_TLS_FILES.ca}"\n` : ''}${
  tls.clientCertificates
    ? `  KP_CLIENT_CERT_FILE: "${PLUGIN_TLS_FILES.cert}"\n  KP_CLIENT_KEY_FILE: "${PLUGIN_TLS_FILES.key}"\n`
    : ''
}LOGGER:
  LOG_LEVEL: "info"
  LOG_ALL_VALUES: false
`;
