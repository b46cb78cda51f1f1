import { describe, expect, it } from 'vitest';
import { loadConfig, pkcs11Settings } from '../src/config.ts';

describe('engine settings', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      KEYHAVEN_ENGINE_PORT: 8081,
      KEYHAVEN_DATA_DIR: './data',
      KEYHAVEN_STORE: 'sqlite',
      KEYHAVEN_KEY_ADAPTER: 'software',
      KEYHAVEN_JOB_BATCH_SIZE: 1000,
      KEYHAVEN_JOB_PAUSE_MS: 0,
    });
  });

  it('takes TLS files in pairs, readable, and client certificates only with HTTPS', () => {
    expect(() => loadConfig({ KEYHAVEN_TLS_CERT_FILE: '/etc/hostname' })).toThrow(
      /KEYHAVEN_TLS_KEY_FILE: set both KEYHAVEN_TLS_CERT_FILE and KEYHAVEN_TLS_KEY_FILE/,
    );
    expect(() =>
      loadConfig({
        KEYHAVEN_TLS_CERT_FILE: '/nowhere.pem',
        KEYHAVEN_TLS_KEY_FILE: '/etc/hostname',
      }),
    ).toThrow(/KEYHAVEN_TLS_CERT_FILE: cannot read \/nowhere.pem/);
    expect(() => loadConfig({ KEYHAVEN_TLS_CLIENT_CA_FILE: '/etc/hostname' })).toThrow(
      /KEYHAVEN_TLS_CLIENT_CA_FILE: client certificates need HTTPS/,
    );
    expect(
      loadConfig({
        KEYHAVEN_TLS_CERT_FILE: '/etc/hostname',
        KEYHAVEN_TLS_KEY_FILE: '/etc/hostname',
      }),
    ).toMatchObject({ KEYHAVEN_TLS_CERT_FILE: '/etc/hostname' });
  });

  it('reads the cluster address deny list and the public URL, refusing what is not one', () => {
    expect(loadConfig({}).KEYHAVEN_CLUSTER_DENY).toBeUndefined();
    expect(
      loadConfig({ KEYHAVEN_CLUSTER_DENY: '169.254.0.0/16, fe80::/10' }).KEYHAVEN_CLUSTER_DENY,
    ).toEqual(['169.254.0.0/16', 'fe80::/10']);
    expect(loadConfig({ KEYHAVEN_CLUSTER_DENY: 'none' }).KEYHAVEN_CLUSTER_DENY).toEqual([]);
    expect(() => loadConfig({ KEYHAVEN_CLUSTER_DENY: '169.254.0.0' })).toThrow(
      /KEYHAVEN_CLUSTER_DENY.0: each entry must be a CIDR/,
    );
    expect(loadConfig({ KEYHAVEN_PUBLIC_URL: 'https://keyhaven.example:8081/' })).toMatchObject({
      KEYHAVEN_PUBLIC_URL: 'https://keyhaven.example:8081',
    });
    expect(() => loadConfig({ KEYHAVEN_PUBLIC_URL: 'keyhaven.example' })).toThrow(
      /KEYHAVEN_PUBLIC_URL/,
    );
  });

  it('names every bad setting in one readable error', () => {
    expect(() =>
      loadConfig({
        KEYHAVEN_ENGINE_PORT: 'eighty',
        KEYHAVEN_STORE: 'redis',
        KEYHAVEN_DEMO_PASSWORD: 'short',
      }),
    ).toThrow(
      /Invalid engine settings:\n {2}KEYHAVEN_ENGINE_PORT: .*\n {2}KEYHAVEN_STORE: .*\n {2}KEYHAVEN_DEMO_PASSWORD: must be at least 8 characters/,
    );
  });

  it('checks the PKCS#11 settings when a token is used, naming each problem and never the PIN', () => {
    const attempt = () =>
      loadConfig({
        KEYHAVEN_KEY_ADAPTER: 'pkcs11',
        KEYHAVEN_PKCS11_MODULE: '/nowhere/libpkcs11.so',
        KEYHAVEN_PKCS11_PIN: 'secret-pin-1234',
        KEYHAVEN_PKCS11_PIN_FILE: '/nowhere/pin',
      });
    expect(attempt).toThrow(/KEYHAVEN_PKCS11_TOKEN_LABEL: required with the pkcs11 key adapter/);
    expect(attempt).toThrow(
      /KEYHAVEN_PKCS11_MODULE: no PKCS#11 library at \/nowhere\/libpkcs11.so/,
    );
    expect(attempt).toThrow(/KEYHAVEN_PKCS11_PIN: set exactly one of/);
    expect(attempt).toThrow(/KEYHAVEN_PKCS11_PIN_FILE: cannot read \/nowhere\/pin/);
    expect(attempt).not.toThrow(/secret-pin-1234/);
  });

  it('takes the PIN from the environment when given, and needs no token settings otherwise', () => {
    const config = loadConfig({
      KEYHAVEN_KEY_ADAPTER: 'pkcs11',
      KEYHAVEN_PKCS11_MODULE: process.execPath,
      KEYHAVEN_PKCS11_TOKEN_LABEL: 'keyhaven',
      KEYHAVEN_PKCS11_PIN: 'secret-pin-1234',
    });
    expect(pkcs11Settings(config)).toMatchObject({
      modulePath: process.execPath,
      tokenLabel: 'keyhaven',
      pin: 'secret-pin-1234',
      maxRetries: 3,
    });
    expect(pkcs11Settings(loadConfig({}))).toBeUndefined();
  });
});
