import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Server as HttpsServer } from 'node:https';
import { createHttpServer, randomSecret, reloadTlsOnChange, secretFile } from '@keyhaven/server';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { EngineClient } from './engine-client.ts';
import { createMetrics } from './metrics.ts';
import { Sessions } from './session.ts';

/** The session secret: from the environment, or created once (0600) in the data dir. */
function sessionSecret(dataDir: string, given: string | undefined): string {
  return given ?? secretFile(join(dataDir, 'session-secret'), randomSecret) ?? '';
}

/** The engine's login-proxy key, read from its file once it exists. */
function cachedProxyKey(file: string): () => string | undefined {
  let key: string | undefined;
  return () => (key ??= secretFile(file));
}

function main() {
  // Everything this process creates (session secret, logs) is for its own user only.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.KEYHAVEN_LOG_LEVEL, base: { service: 'bff' } });
  const metrics = createMetrics();
  const engine = new EngineClient({
    urls: config.engineUrls,
    logger,
    onUpstreamError: (kind) => metrics.upstreamErrors.inc({ kind }),
  });
  engine.startHealthProbe();
  const sessions = new Sessions({
    secret: sessionSecret(resolve(config.KEYHAVEN_DATA_DIR), config.KEYHAVEN_SESSION_SECRET),
  });
  const app = createApp({
    engine,
    sessions,
    logger,
    metrics,
    webDist: config.KEYHAVEN_WEB_DIST,
    trustProxy: config.KEYHAVEN_TRUST_PROXY,
    loginProxyKey: cachedProxyKey(
      config.KEYHAVEN_LOGIN_PROXY_KEY_FILE ??
        join(resolve(config.KEYHAVEN_DATA_DIR), 'login-proxy-key'),
    ),
  });
  const tls = config.KEYHAVEN_TLS_CERT_FILE
    ? { certFile: config.KEYHAVEN_TLS_CERT_FILE, keyFile: config.KEYHAVEN_TLS_KEY_FILE ?? '' }
    : undefined;
  const server = createHttpServer(app, tls).listen(
    config.KEYHAVEN_PORT,
    config.KEYHAVEN_HOST,
    () => {
      const { port } = server.address() as AddressInfo;
      logger.info({ port, tls: tls !== undefined, node: process.version }, 'bff listening');
    },
  );
  if (tls) reloadTlsOnChange(server as HttpsServer, tls, logger);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'bff shutting down');
    app.emit('shutdown');
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
    server.close(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main();
