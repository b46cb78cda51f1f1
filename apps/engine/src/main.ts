import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import {
  defaultEtcdSettings,
  EtcdOwnership,
  EtcdStore,
  MAIN_ACCOUNT,
  StoreKey,
  bootstrapAccount,
  Pkcs11KeyAdapter,
  SoftwareKeyAdapter,
  SqliteStore,
  createEngine,
  loadOrCreateKek,
  seedDemo,
  systemClock,
  type Engine,
} from '@keyhaven/engine';
import { createHttpServer, randomSecret, reloadTlsOnChange, secretFile } from '@keyhaven/server';
import type { Server as HttpsServer } from 'node:https';
import { createApp } from './app.ts';
import { loadConfig, pkcs11Settings, readable, type EngineConfig } from './config.ts';

/** The demo password: from the environment, or random on first start and kept (0600) in the data dir. */
function demoPassword(dataDir: string, given: string | undefined): string {
  return (
    given ??
    secretFile(join(dataDir, 'demo-password'), () => randomBytes(12).toString('base64url')) ??
    ''
  );
}

/**
 * The data directory holds the store, keys and secrets: 0700, and every file in it 0600, also
 * when an older version (or another tool) made it with looser modes.
 */
function lockDown(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  for (const entry of readdirSync(dataDir, { withFileTypes: true }))
    chmodSync(join(dataDir, entry.name), entry.isDirectory() ? 0o700 : 0o600);
}

/**
 * The engine's HTTP API on its port: HTTPS when given a certificate (reloaded when its files
 * change), asking for client certificates when given a client CA.
 */
function serve(engine: Engine, config: EngineConfig, logger: Logger, dataDir: string) {
  const loginProxyKey = secretFile(
    config.KEYHAVEN_LOGIN_PROXY_KEY_FILE ?? join(dataDir, 'login-proxy-key'),
    randomSecret,
  );
  const tls = config.KEYHAVEN_TLS_CERT_FILE
    ? {
        certFile: config.KEYHAVEN_TLS_CERT_FILE,
        keyFile: config.KEYHAVEN_TLS_KEY_FILE ?? '',
        clientCaFile: config.KEYHAVEN_TLS_CLIENT_CA_FILE,
      }
    : undefined;
  const app = createApp(engine, logger, {
    loginProxyKey,
    publicUrl: config.KEYHAVEN_PUBLIC_URL,
    pluginClientCertificates: tls?.clientCaFile !== undefined,
  });
  const server = createHttpServer(app, tls).listen(
    config.KEYHAVEN_ENGINE_PORT,
    config.KEYHAVEN_ENGINE_HOST,
    () => {
      const { port } = server.address() as AddressInfo;
      logger.info(
        {
          port,
          tls: tls !== undefined,
          mtls: tls?.clientCaFile !== undefined,
          node: process.version,
        },
        'engine listening',
      );
    },
  );
  if (tls) reloadTlsOnChange(server as HttpsServer, tls, logger);
  return server;
}

/** The job controller's settings from the environment. */
const controllerSettings = (config: EngineConfig) => ({
  batchSize: config.KEYHAVEN_JOB_BATCH_SIZE,
  batchPauseMs: config.KEYHAVEN_JOB_PAUSE_MS,
  migrationRate: config.KEYHAVEN_MIGRATION_RATE,
  migrationPageSize: config.KEYHAVEN_MIGRATION_PAGE_SIZE,
  pluginSilentMs: config.KEYHAVEN_PLUGIN_SILENT_SECONDS * 1000,
});

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.KEYHAVEN_LOG_LEVEL, base: { service: 'engine' } });
  // Everything this process creates is for its own user only (SQLite's -wal and -shm included).
  process.umask(0o077);
  const dataDir = resolve(config.KEYHAVEN_DATA_DIR);
  lockDown(dataDir);
  const kekFile = config.KEYHAVEN_KEK_FILE ?? join(dataDir, 'kek.bin');
  const etcd =
    config.KEYHAVEN_STORE === 'etcd'
      ? new EtcdStore({
          ...defaultEtcdSettings,
          endpoints: config.KEYHAVEN_ETCD_ENDPOINTS ?? [],
          callTimeoutMs: config.KEYHAVEN_ETCD_TIMEOUT_MS,
        })
      : undefined;
  const store = etcd ?? new SqliteStore(join(dataDir, 'keyhaven.sqlite'));
  // Replicas on one etcd share jobs through leases; alone on SQLite, this process owns them all.
  const ownership =
    etcd && new EtcdOwnership(etcd.client, config.KEYHAVEN_ETCD_LEASE_TTL_SECONDS, logger);
  const hsmSettings = pkcs11Settings(config);
  const hsm = hsmSettings && new Pkcs11KeyAdapter(hsmSettings, logger);
  if (hsm) {
    // Start even when the token is unavailable: readiness and every key action say why (R14).
    await hsm.check().then(
      () => logger.info({ token: hsmSettings.tokenLabel }, 'HSM token ready'),
      (err: Error) =>
        logger.error({ token: hsmSettings.tokenLabel, msg: err.message }, 'HSM token unavailable'),
    );
  }
  const keyAdapter =
    config.KEYHAVEN_KEY_ADAPTER === 'pkcs11' && hsm
      ? hsm
      : new SoftwareKeyAdapter(store, loadOrCreateKek(kekFile));
  const tokenKey = secretFile(
    config.KEYHAVEN_TOKEN_KEY_FILE ?? join(dirname(kekFile), 'token-signing-key'),
    randomSecret,
  );
  const offsetMs = config.KEYHAVEN_CLOCK_OFFSET_SECONDS * 1000;
  if (offsetMs > 0)
    logger.warn(
      { offsetSeconds: config.KEYHAVEN_CLOCK_OFFSET_SECONDS },
      "the engine's clock runs ahead (KEYHAVEN_CLOCK_OFFSET_SECONDS): for trying time-based policies only",
    );
  const engine = createEngine({
    ...(offsetMs > 0 && {
      clock: { now: () => new Date(Date.now() + offsetMs), sleep: systemClock.sleep },
    }),
    ...(config.KEYHAVEN_CLUSTER_DENY && { clusterDeny: config.KEYHAVEN_CLUSTER_DENY }),
    tokenSigningKey: new Uint8Array(Buffer.from(tokenKey ?? '', 'base64url')),
    store,
    keyAdapter,
    hsmAdapter: hsm,
    ...(ownership && { ownership }),
    logger,
    manualRotationEveryMs: config.KEYHAVEN_MANUAL_ROTATION_EVERY_SECONDS * 1000,
    seeds: {
      mode: config.KEYHAVEN_DEK_MODE,
      cacheTtlMs: config.KEYHAVEN_DEK_CACHE_TTL_SECONDS * 1000,
    },
    controller: controllerSettings(config),
  });
  if (!config.KEYHAVEN_DEMO && config.KEYHAVEN_ADMIN_PASSWORD_FILE) {
    const made = await bootstrapAccount(engine, {
      password: readable(config.KEYHAVEN_ADMIN_PASSWORD_FILE) ?? '',
      accountName: config.KEYHAVEN_ACCOUNT_NAME,
      region: config.KEYHAVEN_REGION,
    });
    if (made)
      logger.info({ account: MAIN_ACCOUNT }, 'account and first administrator (admin) made');
  } else if (!config.KEYHAVEN_DEMO && (await store.count(StoreKey.user(''))) === 0)
    logger.warn(
      'no users and no demo data: set KEYHAVEN_ADMIN_PASSWORD_FILE to make the first administrator',
    );
  if (config.KEYHAVEN_DEMO) {
    const password = demoPassword(dataDir, config.KEYHAVEN_DEMO_PASSWORD);
    const seeded = await seedDemo(engine, {
      password,
      bigClusterSecrets: config.KEYHAVEN_DEMO_SECRETS,
      extraClusters: config.KEYHAVEN_DEMO_EXTRA_CLUSTERS,
    });
    if (seeded) logger.info('demo data seeded');
    if (!config.KEYHAVEN_DEMO_PASSWORD)
      process.stdout.write(
        `\n  Demo login: admin / ${password}   (read-only: viewer / ${password}; second Manager: approver / ${password})\n\n`,
      );
  }
  // Engines before the signing-key file kept the key in the store, in the clear: it goes.
  await store.txn([], [{ type: 'delete', key: StoreKey.legacySigningKey }]);
  await engine.start();
  // The re-encryption workers warm up in the background; a job that comes first just waits for them.
  void engine.controller
    .warmUp()
    .catch((err: unknown) => logger.warn({ err }, 'could not warm up the re-encryption workers'));
  const server = serve(engine, config, logger, dataDir);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'engine shutting down');
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    await new Promise<void>((done) => server.close(() => done()));
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // Start-up failures (the store unreachable, a data directory not writable) end with one line.
  process.stderr.write(
    `The engine could not start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
