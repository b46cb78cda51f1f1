// The whole system the soak runs on loopback: a 3-member etcd store, two engine replicas behind a
// TCP front, the BFF, and a connected cluster of two kube-apiservers (on their own etcd), each
// with its own KMS plug-in.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { join, resolve } from 'node:path';
import type { Cluster, KmsPluginSetup } from '@keyhaven/contracts';
import { startEtcdCluster, freePort, type EtcdCluster } from '../etcd-cluster.ts';
import { serviceArgs } from '../build.mjs';
import { engineCaller, tokenFor, type HttpMethod } from '../../apps/engine/test/process.ts';
import {
  identityConfig,
  serviceAccountToken,
  startKube,
  type ApiServer,
  type Kube,
} from '../../apps/kms-plugin/test/kube.ts';
import { localSetup } from '../../apps/kms-plugin/test/plugin.ts';
import { answers, failoverProxy, nodeService, until, type Target } from './processes.ts';

const root = resolve(import.meta.dirname, '../..');
export const INSTANCE = 'kp-us-south';
export const DEMO_CLUSTERS = ['c-prod-us-south', 'c-staging-us-south'];

export interface System {
  targets: Target[];
  /** The engine replicas' TCP front (what the plug-ins and the writers use). */
  engineUrl: string;
  bffUrl: string;
  store: EtcdCluster;
  kube: Kube;
  /** The second API server and the plug-ins, once enableConnected started them. */
  second: ApiServer | undefined;
  plugins: Target[];
  pluginSockets: string[];
  connectedId: string;
  /** A call of the engine's API as the admin (through the front). */
  engine<T>(method: HttpMethod, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  logDirs: string[];
  stop(): Promise<void>;
}

/** Starts everything; the connected cluster is connected but KMS is not enabled on it yet. */
export async function startSystem(dir: string, password: string): Promise<System> {
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const store = await startEtcdCluster(join(dir, 'store'));
  const dataDir = join(dir, 'engine');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const base = {
    ...process.env,
    IBM_TELEMETRY_DISABLED: 'true',
    KEYHAVEN_DATA_DIR: dataDir,
    KEYHAVEN_LOG_LEVEL: 'info',
  };
  const enginePorts = [await freePort(), await freePort()];
  const engines = enginePorts.map((port, i) =>
    nodeService({
      name: `engine-${i + 1}`,
      kind: 'engine',
      args: serviceArgs('engine'),
      cwd: root,
      env: {
        ...base,
        KEYHAVEN_ENGINE_PORT: String(port),
        KEYHAVEN_STORE: 'etcd',
        KEYHAVEN_ETCD_ENDPOINTS: store.endpoints.join(','),
        KEYHAVEN_ETCD_TIMEOUT_MS: '1500',
        KEYHAVEN_ETCD_LEASE_TTL_SECONDS: '3',
        KEYHAVEN_DEMO_PASSWORD: password,
        KEYHAVEN_DEMO_SECRETS: '2000',
        KEYHAVEN_MIGRATION_RATE: '400',
        KEYHAVEN_PLUGIN_SILENT_SECONDS: '60',
      },
      logFile: join(logs, `engine-${i + 1}.log`),
      ready: answers(`http://127.0.0.1:${port}/readyz`),
    }),
  );
  for (const engine of engines) await engine.start();
  const frontPort = await freePort();
  const front: Server = await failoverProxy(enginePorts, frontPort);
  const engineUrl = `http://127.0.0.1:${frontPort}`;

  const bffPort = await freePort();
  const bff = nodeService({
    name: 'bff',
    kind: 'BFF',
    args: serviceArgs('bff'),
    cwd: root,
    env: {
      ...base,
      KEYHAVEN_PORT: String(bffPort),
      KEYHAVEN_ENGINE_URL: enginePorts.map((p) => `http://127.0.0.1:${p}`).join(','),
      KEYHAVEN_SESSION_SECRET: 'a-soak-session-secret-of-32-characters',
    },
    logFile: join(logs, 'bff.log'),
    ready: answers(`http://127.0.0.1:${bffPort}/healthz`),
  });
  await bff.start();

  let token = await tokenFor(engineUrl, 'admin', password);
  const call = engineCaller(engineUrl, () => token, INSTANCE);
  const engine = async <T>(method: HttpMethod, path: string, body?: unknown) => {
    let answer = await call<T>(method, path, body);
    if (answer.status === 401) {
      token = await tokenFor(engineUrl, 'admin', password);
      answer = await call<T>(method, path, body);
    }
    return answer;
  };

  const kube = await startKube(join(dir, 'kube'), identityConfig);
  const saToken = await serviceAccountToken(kube, 'keyhaven', ['list', 'get', 'update']);
  const connected = await engine<Cluster>('POST', '/v2/clusters', {
    name: 'soak-cluster',
    server: kube.server,
    caCertificate: kube.caCertificate(),
    token: saToken,
    etcd: kube.etcd,
  });
  if (connected.status !== 201) throw new Error(`connecting: ${JSON.stringify(connected.body)}`);
  const plugins: Target[] = [];
  const storeMembers: Target[] = store.members.map((member) => ({
    name: member.name,
    kind: 'store etcd member',
    kill: () => store.kill(member),
    start: () => store.start(member),
  }));
  return {
    targets: [...engines, ...storeMembers, bff, clusterEtcd(kube)],
    engineUrl,
    bffUrl: `http://127.0.0.1:${bffPort}`,
    store,
    kube,
    second: undefined,
    plugins,
    pluginSockets: [],
    connectedId: connected.body.id,
    engine,
    logDirs: [logs, kube.logDir],
    async stop() {
      await kube.stop();
      for (const target of [...engines, bff, ...plugins]) await target.kill();
      front.close();
      await store.stop();
    },
  };
}

const clusterEtcd = (kube: Kube): Target => ({
  name: 'cluster-etcd',
  kind: 'cluster etcd',
  kill: () => kube.killEtcd(),
  start: () => kube.startEtcd(),
});

/**
 * Enables KMS on the connected cluster with crkId: a plug-in per API server (named for it),
 * the first API server restarted onto its plug-in and a second one started on its own.
 */
export async function enableConnected(system: System, dir: string, crkId: string): Promise<void> {
  const id = system.connectedId;
  const accepted = await system.engine('POST', '/v2/enableKMS', {
    cluster: id,
    instance_id: INSTANCE,
    crk_id: crkId,
  });
  if (accepted.status !== 202) throw new Error(`enableKMS: ${JSON.stringify(accepted.body)}`);
  const encryption: string[] = [];
  for (const name of ['apiserver-1', 'apiserver-2']) {
    const setup = await system.engine<KmsPluginSetup>(
      'POST',
      `/v2/clusters/${id}/kms-plugin-setup`,
    );
    if (setup.status !== 201) throw new Error(`plug-in setup: ${JSON.stringify(setup.body)}`);
    const socket = join(dir, `${name}.sock`);
    const healthz = await freePort();
    const config = localSetup(setup.body.pluginConfig, socket, healthz)
      .replace('SERVER_CONFIG:\n', `SERVER_CONFIG:\n  CLUSTER_NAME: "${name}"\n`)
      .replaceAll(/"https?:\/\/127\.0\.0\.1:\d+/g, `"${system.engineUrl}`)
      .replace('LOG_LEVEL: "debug"', 'LOG_LEVEL: "info"');
    const file = join(dir, `${name}-kmsplugin.yaml`);
    writeFileSync(file, config, { mode: 0o600 });
    const plugin = nodeService({
      name: `plugin-${name.slice(-1)}`,
      kind: 'KMS plug-in',
      args: [...serviceArgs('kms-plugin'), '--config', file],
      cwd: root,
      env: { ...process.env },
      logFile: join(system.logDirs[0] as string, `kms-plugin-${name}.log`),
      ready: async () =>
        existsSync(socket) && (await answers(`http://127.0.0.1:${healthz}/healthz/liveness`)()),
    });
    await plugin.start();
    system.plugins.push(plugin);
    system.pluginSockets.push(socket);
    encryption.push(localSetup(setup.body.encryptionConfiguration, socket));
  }
  await system.kube.restart(encryption[0]);
  system.second = await system.kube.addApiServer(encryption[1] as string);
  const second = system.second;
  system.targets.push(...system.plugins, {
    name: 'apiserver-1',
    kind: 'API server',
    kill: () => system.kube.kill(),
    start: () => system.kube.start(),
  });
  system.targets.push({
    name: 'apiserver-2',
    kind: 'API server',
    kill: () => second.kill(),
    start: () => second.start(),
  });
  await until(
    'the connected cluster Ready',
    async () => {
      const c = await system.engine<Cluster>('GET', `/v2/clusters/${id}`);
      return c.body.masterStatus === 'Ready' && c.body.enablement?.state === 'succeeded';
    },
    300,
  );
}
