import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createHttpServer } from '@keyhaven/server';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { EngineClient } from './engine-client.ts';
import { createMetrics } from './metrics.ts';
import { Sessions } from './session.ts';

/** The session secret: from the environment, or created once (0600) in the data dir. */
function sessionSecret(dataDir: string, given: string | undefined): string {
  if (given) return given;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'session-secret');
  if (!existsSync(file))
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  return readFileSync(file, 'utf8').trim();
}

function main() {
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
  const sessions = new Sessions({
    secret: sessionSecret(resolve(config.KEYHAVEN_DATA_DIR), config.KEYHAVEN_SESSION_SECRET),
  });
  const app = createApp({ engine, sessions, logger, metrics, webDist: config.KEYHAVEN_WEB_DIST });
  const server = createHttpServer(app).listen(config.KEYHAVEN_PORT, config.KEYHAVEN_HOST, () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ port }, 'bff listening');
  });
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
