import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';

/** Seed 004's kmsplugin-config.yaml, with Keyhaven's URLs and an API key filled in. */
const SEED_STYLE = `SERVER_CONFIG:
  REGION: "IBMCloudPakForMCM"
  NUM_LEN_BYTES: 4
  CACHE_TIMEOUT_IN_HOURS: 1
  RESTART_DELAY_IN_SECONDS: 30
  UNIX_SOCKET_PATH: "/etc/origin/master/keyprotectprovider.sock"
  TOKEN_URL: "https://keyhaven.example:8443/identity/token"
  TOKEN_URL_CA_FILE: "${join(import.meta.dirname, 'config.test.ts')}"
  API_KEY: "khk_0b8e7c8e-5a5e-4a8c-9a57-6f1f4d1e2a3b_secret"
  HEALTHZ_PATH: "/healthz"
  HEALTHZ_PORT: ":20358"
  NEW_DEK: false
  MAX_RETRIES: 0
KP_CONFIG:
  VERSION: 1
  CRK_ID: "crk-1234"
  URL: "https://keyhaven.example:8443"
  KP_CA_FILE: "${join(import.meta.dirname, 'config.test.ts')}"
  INSTANCE_ID: "kp-us-south"
LOGGER:
  LOG_LEVEL: "info"
  LOG_ALL_VALUES: false
`;

const problem = (text: string) => {
  try {
    parseConfig(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('kmsplugin-config.yaml', () => {
  it('reads a file written like seed 004’s as it is', () => {
    const config = parseConfig(SEED_STYLE);
    expect(config).toMatchObject({
      socketPath: '/etc/origin/master/keyprotectprovider.sock',
      healthz: { path: '/healthz', host: '127.0.0.1', port: 20358 },
      cacheTimeoutMs: 3_600_000,
      maxRetries: 0,
      restartDelayMs: 30_000,
      tokenUrl: 'https://keyhaven.example:8443/identity/token',
      engineUrl: 'https://keyhaven.example:8443',
      instanceId: 'kp-us-south',
      rootKeyId: 'crk-1234',
      logLevel: 'info',
      logAllValues: false,
    });
    expect(config.tokenCa).toBeInstanceOf(Buffer);
    expect(config.resource).toMatch(/^kms-plugin:[a-z0-9.-]+$/);
    expect(config.ignored).toEqual([
      'SERVER_CONFIG.NUM_LEN_BYTES is ignored: the API server makes the DEK seed (32 bytes) in KMS v2; the plug-in only wraps it.',
      'SERVER_CONFIG.NEW_DEK is ignored: the API server derives a fresh key for every write from its seed in KMS v2.',
      'SERVER_CONFIG.REGION is ignored: the engine URL names where the keys are.',
    ]);
  });

  it('takes quoted numbers and booleans, a host in HEALTHZ_PORT, and the API key from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'khp-config-'));
    writeFileSync(join(dir, 'apikey'), 'khk_from_a_file\n', { mode: 0o600 });
    const config = parseConfig(
      SEED_STYLE.replace('MAX_RETRIES: 0', 'MAX_RETRIES: "3"')
        .replace('HEALTHZ_PORT: ":20358"', 'HEALTHZ_PORT: "127.0.0.1:9000"')
        .replace('LOG_ALL_VALUES: false', 'LOG_ALL_VALUES: "true"')
        .replace(/ {2}API_KEY: .*/, `  API_KEY_FILE: "${join(dir, 'apikey')}"`),
    );
    expect(config).toMatchObject({
      maxRetries: 3,
      healthz: { host: '127.0.0.1', port: 9000 },
      logAllValues: true,
      apiKey: 'khk_from_a_file',
    });
  });

  it('names each wrong, missing or unknown setting', () => {
    expect(problem(SEED_STYLE.replace('  INSTANCE_ID: "kp-us-south"\n', ''))).toContain(
      'KP_CONFIG.INSTANCE_ID: INSTANCE_ID is missing: give INSTANCE_ID and CRK_ID, or SERVER_CONFIG.CLUSTER_ID',
    );
    expect(problem(SEED_STYLE.replace('MAX_RETRIES: 0', 'MAX_RETRIES: lots'))).toContain(
      'SERVER_CONFIG.MAX_RETRIES: MAX_RETRIES must be a number',
    );
    expect(problem(SEED_STYLE.replace('HEALTHZ_PORT: ":20358"', 'HEALTHZ_PORT: "port"'))).toContain(
      'SERVER_CONFIG.HEALTHZ_PORT: HEALTHZ_PORT must look like ":20358"',
    );
    expect(problem(SEED_STYLE.replace('LOG_LEVEL: "info"', 'LOG_LEVL: "info"'))).toContain(
      'LOGGER: unknown setting LOG_LEVL',
    );
    expect(problem(SEED_STYLE.replace('CRK_ID: "crk-1234"', 'CRK_ID: "<CRK_ID"'))).toContain(
      'KP_CONFIG.CRK_ID: CRK_ID must be a root key id',
    );
    expect(problem(SEED_STYLE.replace(/API_KEY: .*/, 'API_KEY: "<API_KEY>"'))).toContain(
      'API_KEY still holds the placeholder',
    );
    expect(problem(SEED_STYLE.replace(/ {2}API_KEY: .*\n/, ''))).toContain(
      'give exactly one of API_KEY and API_KEY_FILE',
    );
    expect(
      problem(SEED_STYLE.replace('https://keyhaven.example:8443"', 'http://keyhaven.example"')),
    ).toContain('KP_CONFIG.URL: URL must be https://, or http:// to a loopback address');
    expect(
      problem(SEED_STYLE.replace('URL: "https://keyhaven.example:8443"', 'URL: "keyhaven"')),
    ).toBe('the configuration is not valid:\n  KP_CONFIG.URL: URL must be a URL');
    expect(problem('SERVER_CONFIG: [')).toContain('not valid YAML');
    expect(
      problem(SEED_STYLE.replace('TOKEN_URL_CA_FILE: "', 'TOKEN_URL_CA_FILE: "/nope')),
    ).toMatch(/TOKEN_URL_CA_FILE \/nope.* cannot be read: ENOENT/);
  });

  it('follows a connected cluster with CLUSTER_ID, without a fixed root key', () => {
    const following = SEED_STYLE.replace(
      '  MAX_RETRIES: 0\n',
      '  MAX_RETRIES: 0\n  CLUSTER_ID: "kc-0123abcd"\n',
    )
      .replace('  CRK_ID: "crk-1234"\n', '')
      .replace('  INSTANCE_ID: "kp-us-south"\n', '');
    const config = parseConfig(following);
    expect(config.clusterId).toBe('kc-0123abcd');
    expect(config.rootKeyId).toBeUndefined();
    expect(config.instanceId).toBeUndefined();
    const both = SEED_STYLE.replace(
      '  MAX_RETRIES: 0\n',
      '  MAX_RETRIES: 0\n  CLUSTER_ID: "kc-0123abcd"\n',
    );
    expect(problem(both)).toContain(
      "KP_CONFIG.CRK_ID: CRK_ID must be left out with SERVER_CONFIG.CLUSTER_ID: the plug-in follows the cluster's root key",
    );
  });
});
