import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PLUGIN_SOCKET } from '@keyhaven/engine';
import { PROTO_PATH } from '../src/grpc-server.ts';
import { serviceArgs } from '../../../scripts/build.mjs';

const root = resolve(import.meta.dirname, '../../..');

export interface PluginProcess {
  child: ChildProcess;
  socketPath: string;
  healthzUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

export interface PluginSettings {
  engineUrl: string;
  apiKey: string;
  instanceId: string;
  rootKeyId: string;
  socketPath: string;
  healthzPort: number;
  extra?: { server?: string; logger?: string };
}

/** A kmsplugin-config.yaml written the way seed 004 writes it: quoted strings, ":port". */
export function pluginConfig(s: PluginSettings): string {
  return `SERVER_CONFIG:
  REGION: "us-south"
  NUM_LEN_BYTES: 4
  CACHE_TIMEOUT_IN_HOURS: 1
  RESTART_DELAY_IN_SECONDS: 30
  UNIX_SOCKET_PATH: "${s.socketPath}"
  TOKEN_URL: "${s.engineUrl}/identity/token"
  API_KEY: "${s.apiKey}"
  HEALTHZ_PATH: "/healthz"
  HEALTHZ_PORT: "127.0.0.1:${s.healthzPort}"
  NEW_DEK: false
  MAX_RETRIES: 2
${s.extra?.server ?? ''}KP_CONFIG:
  VERSION: 1
  CRK_ID: "${s.rootKeyId}"
  URL: "${s.engineUrl}"
  INSTANCE_ID: "${s.instanceId}"
LOGGER:
  LOG_LEVEL: "debug"
  LOG_ALL_VALUES: false
${s.extra?.logger ?? ''}`;
}

/** Starts `npm run kms-plugin -- --config <file>`'s program and waits until it serves. */
export async function spawnPlugin(dir: string, config: string): Promise<PluginProcess> {
  const file = join(dir, `kmsplugin-config-${Date.now()}.yaml`);
  writeFileSync(file, config, { mode: 0o600 });
  const socketPath = /UNIX_SOCKET_PATH: "([^"]+)"/.exec(config)?.[1] ?? '';
  const port = /HEALTHZ_PORT: "127.0.0.1:(\d+)"/.exec(config)?.[1] ?? '';
  const child = spawn(process.execPath, [...serviceArgs('kms-plugin'), '--config', file], {
    cwd: root,
    env: { ...process.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const healthzUrl = `http://127.0.0.1:${port}/healthz`;
  const live = () =>
    fetch(`${healthzUrl}/liveness`).then(
      (r) => r.ok,
      () => false,
    );
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`kms-plugin exited early:\n${out}`);
    if (existsSync(socketPath) && (await live()))
      return { child, socketPath, healthzUrl, output: () => out, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`kms-plugin did not start:\n${out}`);
}

export async function stopPlugin(plugin: PluginProcess | undefined): Promise<number | null> {
  if (!plugin || plugin.child.exitCode !== null) return plugin?.child.exitCode ?? null;
  plugin.child.kill('SIGTERM');
  return plugin.exited;
}

export interface KmsClient {
  status(): Promise<{ version: string; healthz: string; keyId: string }>;
  encrypt(
    plaintext: Buffer,
  ): Promise<{ ciphertext: Buffer; keyId: string; annotations: Record<string, Buffer> }>;
  decrypt(request: {
    ciphertext: Buffer;
    keyId: string;
    annotations: Record<string, Buffer>;
  }): Promise<Buffer>;
  close(): void;
}

/** A gRPC client of the KMS v2 proto, as a test or a benchmark calls the plug-in. */
export function kmsClient(socketPath: string): KmsClient {
  const definition = protoLoader.loadSync(PROTO_PATH, { defaults: true, longs: String });
  const v2 = grpc.loadPackageDefinition(definition).v2 as grpc.GrpcObject;
  const Client = v2.KeyManagementService as grpc.ServiceClientConstructor;
  const client = new Client(`unix:${socketPath}`, grpc.credentials.createInsecure());
  const unary = <Res>(method: string, request: object) =>
    new Promise<Res>((resolveCall, reject) =>
      (client[method] as (r: object, cb: (e: grpc.ServiceError | null, v: Res) => void) => void)(
        request,
        (err, value) => (err ? reject(err) : resolveCall(value)),
      ),
    );
  return {
    status: () => unary('Status', {}),
    encrypt: (plaintext) => unary('Encrypt', { plaintext, uid: 'test' }),
    decrypt: async (request) =>
      (await unary<{ plaintext: Buffer }>('Decrypt', { ...request, uid: 'test' })).plaintext,
    close: () => client.close(),
  };
}

/** Creates a root key in the instance through the engine's Key Protect API; returns its id. */
export async function createRootKey(
  engineUrl: string,
  token: string,
  instanceId: string,
  name: string,
): Promise<string> {
  const response = await fetch(`${engineUrl}/api/v2/keys`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'bluemix-instance': instanceId,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
      resources: [{ type: 'application/vnd.ibm.kms.key+json', name, extractable: false }],
    }),
  });
  if (response.status !== 201) throw new Error(`creating root key ${name}: ${response.status}`);
  return ((await response.json()) as { resources: { id: string }[] }).resources[0]?.id ?? '';
}

/**
 * The setup files Keyhaven gives (POST /v2/clusters/{id}/kms-plugin-setup), made to run here: the
 * plug-in's socket in the test's folder and its health port free.
 */
export const localSetup = (text: string, socketPath: string, healthzPort = 0) =>
  text.replaceAll(PLUGIN_SOCKET, socketPath).replace('127.0.0.1:20358', `127.0.0.1:${healthzPort}`);
