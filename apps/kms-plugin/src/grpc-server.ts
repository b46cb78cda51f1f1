import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Logger } from 'pino';
import type { PluginConfig } from './config.ts';
import { PluginError } from './engine-client.ts';
import { asPluginError, type KmsService } from './kms-service.ts';
import type { PluginMetrics } from './metrics.ts';

export const PROTO_PATH = fileURLToPath(new URL('../proto/kms-v2.proto', import.meta.url));

/** The KeyManagementService definition, loaded from the proto kube-apiserver is built from. */
export function kmsServiceDefinition(): grpc.ServiceDefinition {
  const definition = protoLoader.loadSync(PROTO_PATH, { defaults: true, longs: String });
  const v2 = grpc.loadPackageDefinition(definition).v2 as grpc.GrpcObject;
  return (v2.KeyManagementService as grpc.ServiceClientConstructor).service;
}

interface EncryptRequest {
  plaintext: Buffer;
  uid: string;
}
interface DecryptRequest {
  ciphertext: Buffer;
  uid: string;
  keyId: string;
  annotations: Record<string, Buffer>;
}

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/**
 * Serves one call: counts and times it, logs it without plaintext or seed (ciphertexts only when
 * LOG_ALL_VALUES is true), and answers a failure with its gRPC status code and the engine's words.
 */
function serve<Req extends { uid?: string }, Res>(
  method: string,
  log: Logger,
  metrics: PluginMetrics,
  config: PluginConfig,
  handle: (request: Req) => Promise<Res>,
  describe: (request: Req, response?: Res) => Record<string, unknown> = () => ({}),
): Unary<Req, Res> {
  return (call, callback) => {
    const done = metrics.start(method);
    const request = call.request;
    handle(request).then(
      (response) => {
        done(grpc.status.OK);
        if (log.isLevelEnabled('debug'))
          log.debug({ method, uid: request.uid, ...describe(request, response) }, 'served');
        callback(null, response);
      },
      (err: unknown) => {
        const failure = asPluginError(err);
        done(failure.code);
        log.warn(
          {
            method,
            uid: request.uid,
            code: grpc.status[failure.code],
            detail: failure.message,
            ...(config.logAllValues && describe(request)),
          },
          'call failed',
        );
        callback({ code: failure.code, details: `${failure.reason}: ${failure.message}` });
      },
    );
  };
}

const b64 = (bytes: Buffer | undefined) => bytes?.toString('base64');

export function kmsHandlers(
  service: KmsService,
  config: PluginConfig,
  log: Logger,
  metrics: PluginMetrics,
): grpc.UntypedServiceImplementation {
  const values = config.logAllValues;
  return {
    Status: serve('Status', log, metrics, config, async () => {
      const health = await service.status();
      return { version: 'v2', healthz: health.healthz, keyId: health.keyId };
    }),
    Encrypt: serve<EncryptRequest, Awaited<ReturnType<KmsService['encrypt']>>>(
      'Encrypt',
      log,
      metrics,
      config,
      (request) => service.encrypt(request.plaintext),
      (_request, response) => ({
        keyId: response?.keyId,
        ...(values && { ciphertext: b64(response?.ciphertext) }),
      }),
    ),
    Decrypt: serve<DecryptRequest, { plaintext: Buffer }>(
      'Decrypt',
      log,
      metrics,
      config,
      async (request) => ({
        plaintext: await service.decrypt(request.ciphertext, request.keyId, request.annotations),
      }),
      (request) => ({
        keyId: request.keyId,
        ...(values && { ciphertext: b64(request.ciphertext) }),
      }),
    ),
  };
}

/** Is a live process answering on this socket? (A stale file from a crash does not answer.) */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** Removes a stale socket file; refuses a path that is not a socket or that a process serves. */
export async function clearStaleSocket(socketPath: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(socketPath);
  } catch {
    return;
  }
  if (!stat.isSocket())
    throw new PluginError(
      grpc.status.FAILED_PRECONDITION,
      'socket path taken',
      `UNIX_SOCKET_PATH ${socketPath} exists and is not a socket; it was left alone`,
    );
  if (await answers(socketPath))
    throw new PluginError(
      grpc.status.FAILED_PRECONDITION,
      'socket in use',
      `another process is serving on ${socketPath}`,
    );
  unlinkSync(socketPath);
}

/** Binds the service on the unix socket, created 0600 (the process's umask is 077 from the start). */
export async function startGrpcServer(
  socketPath: string,
  handlers: grpc.UntypedServiceImplementation,
): Promise<grpc.Server> {
  await clearStaleSocket(socketPath);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 });
  server.addService(kmsServiceDefinition(), handlers);
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  chmodSync(socketPath, 0o600);
  return server;
}

/** Stops taking calls, lets the ones in flight finish (up to the grace period), then closes. */
export function stopGrpcServer(server: grpc.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
