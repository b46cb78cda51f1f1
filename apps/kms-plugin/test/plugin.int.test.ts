import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, existsSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { status as Code, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiKeyFor,
  freePort,
  spawnDemoEngine,
  tokenFor,
  type EngineProcess,
} from '../../engine/test/process.ts';
import { SKIP_KUBE, kubeBinaries } from './kube.ts';
import {
  createRootKey,
  kmsClient,
  pluginConfig,
  spawnPlugin,
  stopPlugin,
  type PluginProcess,
  type PluginSettings,
} from './plugin.ts';

const PASSWORD = 'kms-plugin-test-password';
const INSTANCE = 'kp-us-south';
let dir: string;
let engine: EngineProcess;
let apiKey: string;
let admin: string;
let plugin: PluginProcess;
let settings: PluginSettings;

const kp = (path: string, init: RequestInit = {}) =>
  fetch(`${engine.url}/api/v2/keys${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${admin}`,
      'bluemix-instance': INSTANCE,
      'content-type': 'application/json',
    },
  });

const createKey = (name: string) => createRootKey(engine.url, admin, INSTANCE, name);

const grpcCode = (err: unknown) => Code[(err as ServiceError).code];

/** Waits until Status reports what the test expects (the plug-in reuses a check for 1 s). */
async function statusUntil(
  client: ReturnType<typeof kmsClient>,
  accept: (s: { healthz: string; keyId: string }) => boolean,
) {
  for (let i = 0; i < 50; i++) {
    const s = await client.status();
    if (accept(s)) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('Status never reported what was expected');
}

beforeAll(async () => {
  // Unix socket paths are limited to 107 bytes: a short folder under /tmp.
  dir = mkdtempSync('/tmp/khp-');
  engine = await spawnDemoEngine(dir, PASSWORD);
  admin = await tokenFor(engine.url, 'admin', PASSWORD);
  apiKey = await apiKeyFor(engine.url, 'admin', PASSWORD);
  settings = {
    engineUrl: engine.url,
    apiKey,
    instanceId: INSTANCE,
    rootKeyId: await createKey('kms-plugin-key-a'),
    socketPath: join(dir, 'kms.sock'),
    healthzPort: await freePort(),
    extra: { server: '  CLUSTER_NAME: "edge-cluster-1"\n' },
  };
  plugin = await spawnPlugin(dir, pluginConfig(settings));
});

afterAll(async () => {
  await stopPlugin(plugin);
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('KMS v2 plug-in against the engine', () => {
  it.skipIf(SKIP_KUBE)(
    'passes kube-apiserver’s own client and validation of what a plug-in returns',
    async () => {
      const bin = await kubeBinaries();
      const { stdout } = await promisify(execFile)(join(bin, 'kms-client'), [
        '-endpoint',
        `unix://${plugin.socketPath}`,
      ]);
      const report = JSON.parse(stdout);
      expect(report.status).toMatchObject({ version: 'v2', healthz: 'ok' });
      expect(report.status.keyId.length).toBeGreaterThan(0);
      expect(Buffer.byteLength(report.status.keyId)).toBeLessThan(1024);
      expect(report.keyIdsEqual).toBe(true);
      expect(report.encrypt.ciphertextBytes).toBeGreaterThan(0);
      expect(report.encrypt.ciphertextBytes).toBeLessThan(1024);
      expect([...report.encrypt.annotationKeys].sort()).toEqual([
        'bound.kms.keyhaven.io',
        'key-version.kms.keyhaven.io',
      ]);
      expect(report.encrypt.annotationBytes).toBeLessThan(32 * 1024);
      expect(report.validation).toBe('');
      expect(report.roundTrip).toBe(true);
      expect(report.apiServerClient).toEqual({ healthz: 'ok', roundTrip: true });
      expect(report.refusals).toEqual({
        tamperedCiphertext: 'InvalidArgument',
        foreignKeyId: 'InvalidArgument',
        wrongAnnotations: 'InvalidArgument',
        missingAnnotations: 'InvalidArgument',
        oversizedCiphertext: 'InvalidArgument',
        shortPlaintext: 'InvalidArgument',
      });
    },
  );

  it('follows the root key: rotation changes key_id, disable fails Status and Decrypt, enable restores', async () => {
    const client = kmsClient(plugin.socketPath);
    try {
      const before = await statusUntil(client, (s) => s.healthz === 'ok');
      const seed = randomBytes(32);
      const old = await client.encrypt(seed);
      expect(old.keyId).toBe(before.keyId);

      expect((await kp(`/${settings.rootKeyId}/actions/rotate`, { method: 'POST' })).status).toBe(
        204,
      );
      const rotated = await statusUntil(client, (s) => s.keyId !== before.keyId);
      expect(rotated.healthz).toBe('ok');
      expect((await client.encrypt(randomBytes(32))).keyId).toBe(rotated.keyId);
      // A value written before the rotation still opens, by the key_id stored with it.
      expect(await client.decrypt(old)).toEqual(seed);

      await kp(`/${settings.rootKeyId}/actions/disable`, { method: 'POST' });
      const disabled = await statusUntil(client, (s) => s.healthz !== 'ok');
      expect(disabled.healthz).toBe('root key disabled');
      expect(disabled.keyId).toBe(rotated.keyId);
      const refused = await client.decrypt(old).catch((e: unknown) => e);
      expect(grpcCode(refused)).toBe('FAILED_PRECONDITION');
      expect((refused as ServiceError).details).toContain('root key disabled');
      const readiness = await fetch(`${plugin.healthzUrl}/readiness`);
      expect(readiness.status).toBe(503);
      expect(await readiness.text()).toBe('root key disabled\n');

      await kp(`/${settings.rootKeyId}/actions/enable`, { method: 'POST' });
      await statusUntil(client, (s) => s.healthz === 'ok');
      expect(await client.decrypt(old)).toEqual(seed);
    } finally {
      client.close();
    }
  });

  it('opens a seed only under the key_id it was written with, not one with another registration', async () => {
    const client = kmsClient(plugin.socketPath);
    try {
      await statusUntil(client, (s) => s.healthz === 'ok');
      const seed = randomBytes(32);
      const sealed = await client.encrypt(seed);
      const forged = sealed.keyId.replace(/:[^:]+$/, ':0f0f0f0f-forged-registration');
      const refused = await client.decrypt({ ...sealed, keyId: forged }).catch((e: unknown) => e);
      expect(grpcCode(refused)).toBe('INVALID_ARGUMENT');
      expect((refused as ServiceError).details).toMatch(/another registration/);
      expect(await client.decrypt(sealed)).toEqual(seed);
    } finally {
      client.close();
    }
  });

  it('never repeats a key_id: moving from key A to B and back to A gives a new one', async () => {
    const onA = (await kmsClient(plugin.socketPath).status()).keyId;
    const keyIdWith = async (rootKeyId: string, socket: string) => {
      const moved = await spawnPlugin(
        dir,
        pluginConfig({
          ...settings,
          rootKeyId,
          socketPath: join(dir, socket),
          healthzPort: await freePort(),
        }),
      );
      const client = kmsClient(moved.socketPath);
      const { keyId } = await statusUntil(client, (s) => s.healthz === 'ok');
      client.close();
      await stopPlugin(moved);
      return keyId;
    };
    const onB = await keyIdWith(await createKey('kms-plugin-key-b'), 'b.sock');
    const backOnA = await keyIdWith(settings.rootKeyId, 'a2.sock');
    expect(new Set([onA, onB, backOnA]).size).toBe(3);
  });

  it('registers with its root key: the key lists it, and deleting the key needs force', async () => {
    const registrations = await (await kp(`/${settings.rootKeyId}/registrations`)).json();
    expect(registrations.resources).toContainEqual(
      expect.objectContaining({
        clusterId: 'kms-plugin:edge-cluster-1',
        clusterName: 'edge-cluster-1',
        kind: 'kms-plugin',
      }),
    );
    const refused = await kp(`/${settings.rootKeyId}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).code).toBe('KEY_IN_USE');
  });

  it('serves liveness, readiness and per-method metrics on HEALTHZ_PORT', async () => {
    expect(await (await fetch(`${plugin.healthzUrl}/liveness`)).text()).toBe('ok\n');
    const ready = await fetch(`${plugin.healthzUrl}/readiness`);
    expect(ready.status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', plugin.healthzUrl))).text();
    expect(metrics).toMatch(/keyhaven_kms_plugin_calls_total\{method="Encrypt",code="OK"\} \d+/);
    expect(metrics).toMatch(
      /keyhaven_kms_plugin_errors_total\{method="Decrypt",code="FAILED_PRECONDITION"\} \d+/,
    );
    expect(metrics).toContain('keyhaven_kms_plugin_call_duration_seconds_bucket{le="0.005"');
  });

  it('keeps seeds, plaintexts and the API key out of its log, even with LOG_ALL_VALUES', async () => {
    const logged = await spawnPlugin(
      dir,
      pluginConfig({
        ...settings,
        socketPath: join(dir, 'values.sock'),
        healthzPort: await freePort(),
      }).replace('LOG_ALL_VALUES: false', 'LOG_ALL_VALUES: true'),
    );
    const client = kmsClient(logged.socketPath);
    try {
      const seed = randomBytes(32);
      const sealed = await client.encrypt(seed);
      await client.decrypt(sealed);
      await client.decrypt({ ...sealed, annotations: {} }).catch(() => undefined);
      await stopPlugin(logged);
      const log = logged.output();
      expect(log).toContain(sealed.ciphertext.toString('base64'));
      for (const secret of [
        apiKey,
        apiKey.replace(/^khk_[a-f0-9-]{36}_/, ''),
        seed.toString('base64'),
        seed.toString('hex'),
      ])
        expect(log).not.toContain(secret);
      expect(log).toContain('SERVER_CONFIG.NEW_DEK is ignored');
    } finally {
      client.close();
      await stopPlugin(logged);
    }
  });

  it('makes its socket 0600, replaces a stale one, refuses a live one, and stops on SIGTERM', async () => {
    expect(statSync(plugin.socketPath).mode & 0o777).toBe(0o600);
    // A second plug-in on the same socket must not steal it from the first.
    const second = await spawnPlugin(
      dir,
      pluginConfig({ ...settings, healthzPort: await freePort() }),
    ).catch((e: Error) => e);
    expect(String(second)).toContain(`another process is serving on ${plugin.socketPath}`);

    expect(await stopPlugin(plugin)).toBe(0);
    expect(plugin.output()).toContain('"msg":"stopped"');
    expect(existsSync(plugin.socketPath)).toBe(false);
    // A crash leaves the socket file behind (a clean close would remove it): a process that
    // listens on it is SIGKILLed, and the next start removes the file and serves.
    const crashed = spawn(
      process.execPath,
      [
        '-e',
        `require('node:net').createServer().listen(${JSON.stringify(plugin.socketPath)}, () => console.log('up'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise((r) => crashed.stdout.once('data', r));
    crashed.kill('SIGKILL');
    await new Promise((r) => crashed.once('exit', r));
    expect(lstatSync(plugin.socketPath).isSocket()).toBe(true);
    plugin = await spawnPlugin(dir, pluginConfig(settings));
    expect(await kmsClient(plugin.socketPath).status()).toMatchObject({ healthz: 'ok' });
  });

  it('answers UNAVAILABLE after MAX_RETRIES when the engine cannot be reached', async () => {
    const down = await spawnPlugin(
      dir,
      pluginConfig({
        ...settings,
        engineUrl: `http://127.0.0.1:${await freePort()}`,
        socketPath: join(dir, 'down.sock'),
        healthzPort: await freePort(),
      }),
    );
    const client = kmsClient(down.socketPath);
    try {
      expect((await client.status()).healthz).toBe('engine unreachable');
      const refused = await client.encrypt(randomBytes(32)).catch((e: unknown) => e);
      expect(grpcCode(refused)).toBe('UNAVAILABLE');
    } finally {
      client.close();
      await stopPlugin(down);
    }
  });

  it('stops at a wrong configuration, naming the setting', async () => {
    const wrong = await spawnPlugin(
      dir,
      pluginConfig({ ...settings, healthzPort: await freePort() }).replace(
        '  INSTANCE_ID:',
        '  INSTANCE:',
      ),
    ).catch((e: Error) => e);
    expect(String(wrong)).toContain('KP_CONFIG: unknown setting INSTANCE');
    expect(String(wrong)).toContain('KP_CONFIG.INSTANCE_ID: INSTANCE_ID is missing');
  });
});
