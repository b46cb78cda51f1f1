import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { ConfigError, loadConfig, type PluginConfig } from './config.ts';
import { EngineClient, PluginError } from './engine-client.ts';
import { kmsHandlers, startGrpcServer, stopGrpcServer } from './grpc-server.ts';
import { startHealthServer } from './health-server.ts';
import { KmsService } from './kms-service.ts';
import { PluginMetrics } from './metrics.ts';

const USAGE = `Usage: npm run kms-plugin -- --config <kmsplugin-config.yaml>

Serves the Kubernetes KMS v2 API on the configuration's UNIX_SOCKET_PATH; kube-apiserver's
EncryptionConfiguration names that socket. The config_file environment variable, as seed 004's
pod sets it, works in place of --config.`;

function configFile(): string {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const file = values.config ?? process.env.config_file;
  if (!file) throw new ConfigError('no configuration file: pass --config <file>');
  return file;
}

function readConfig(): PluginConfig {
  try {
    return loadConfig(configFile());
  } catch (err) {
    const message = err instanceof ConfigError || err instanceof TypeError ? err.message : err;
    process.stderr.write(`kms-plugin: ${String(message)}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

async function main() {
  // Every file the plug-in makes (its socket first) is private to its user from the start.
  process.umask(0o077);
  const config = readConfig();
  const log = pino({
    level: config.logLevel,
    base: { service: 'kms-plugin' },
    // Belt and braces: none of these is ever logged on purpose.
    redact: {
      paths: ['apiKey', 'plaintext', 'seed', '*.apiKey', '*.plaintext'],
      censor: '[secret]',
    },
  });
  for (const warning of config.ignored) log.warn(warning);
  // Nothing should reach here; if something does, say so and exit, so the pod is restarted
  // whole rather than limping on in an unknown state.
  const fatal = (kind: string) => (err: unknown) => {
    log.fatal({ detail: err instanceof Error ? err.message : String(err) }, `${kind}; exiting`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('unexpected error'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  const metrics = new PluginMetrics();
  const service = new KmsService({ config, log, engine: new EngineClient(config) });
  service.start();
  const handlers = kmsHandlers(service, config, log, metrics);

  let grpcServer;
  for (;;) {
    try {
      grpcServer = await startGrpcServer(config.socketPath, handlers);
      break;
    } catch (err) {
      if (err instanceof PluginError) {
        log.fatal(err.message);
        process.exit(1);
      }
      log.error(
        { detail: (err as Error).message, retryInSeconds: config.restartDelayMs / 1000 },
        `cannot serve on ${config.socketPath}`,
      );
      await sleep(Math.max(config.restartDelayMs, 1000));
    }
  }
  const healthServer = await startHealthServer(config.healthz, service, metrics);
  const health = await service.status();
  log.info(
    {
      socket: config.socketPath,
      healthz: `${config.healthz.host}:${config.healthz.port}${config.healthz.path}`,
      rootKey: config.rootKeyId,
      instance: config.instanceId,
      keyId: health.keyId,
      status: health.healthz,
      node: process.version,
    },
    'serving the KMS v2 API',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await stopGrpcServer(grpcServer, 5_000);
    rmSync(config.socketPath, { force: true });
    healthServer.close();
    service.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
