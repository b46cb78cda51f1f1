import { execSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, KmsPluginSetup } from '@keyhaven/contracts';
import { PLUGIN_SOCKET, PLUGIN_TLS_FILES } from '@keyhaven/engine';
import { freePort, tlsRequest } from '../../engine/test/process.ts';
import { issue, localCa, type LocalCa } from '../../../scripts/local-ca.ts';
import { images, podman, SKIP_IMAGES } from './images.ts';
import { SKIP_KUBE, encryptionConfig, identityConfig, serviceAccountToken } from './kube.ts';
import { startKube, type Kube } from './kube.ts';

/**
 * Issue 26: Keyhaven as a platform team installs it. The engine runs from its image (podman, over
 * HTTPS, asking plug-ins for client certificates); the plug-in runs from its image as the static
 * pod of deploy/static-pod/kmsplugin.yaml (`podman kube play`), its socket and configuration in
 * host folders as seed 004 lays them out; a real kube-apiserver on the host keeps its Secrets
 * through that socket.
 */
const root = resolve(import.meta.dirname, '../../..');
/**
 * A real kubelet's static pod folder (its staticPodPath), to run the manifest there instead of
 * with podman: the kubelet's containerd must hold the plug-in's image (README, Deploy).
 */
const KUBELET_MANIFESTS = process.env.KEYHAVEN_KUBELET_MANIFESTS;
const CONTAINERD = process.env.KEYHAVEN_CONTAINERD_SOCKET ?? '/run/containerd/containerd.sock';
const runner = KUBELET_MANIFESTS ? 'a real kubelet' : 'podman kube play';
const PASSWORD = 'static-pod-password';
const INSTANCE = 'kp-us-south';
const USER = 10001;
const skip = SKIP_KUBE || SKIP_IMAGES;
let dir: string;
let ca: LocalCa;
let pod: (...args: string[]) => Promise<string>;
let engineUrl: string;
let engineName: string;
let manifest: string;
let kube: Kube;
let admin: string;
let pluginImage: string;

/** A folder (0700) and files (0600) that only the images' user reads. */
function ownedByImageUser(folder: string, files: Record<string, string> = {}) {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const [name, from] of Object.entries(files)) {
    copyFileSync(from, join(folder, name));
    chmodSync(join(folder, name), 0o600);
    chownSync(join(folder, name), USER, USER);
  }
  chownSync(folder, USER, USER);
  return folder;
}

async function call<T>(method: string, path: string, body?: unknown) {
  const answer = await tlsRequest(`${engineUrl}${path}`, {
    ca: readFileSync(ca.caFile),
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      'content-type': 'application/json',
      'bluemix-instance': INSTANCE,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: answer.status, body: (answer.text ? JSON.parse(answer.text) : {}) as T };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 300) {
  for (let i = 0; i < tries; i++) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not happen`);
}

beforeAll(async () => {
  if (skip) return;
  const built = images();
  pluginImage = built.kmsPlugin;
  dir = mkdtempSync('/tmp/khp-');
  chmodSync(dir, 0o755);
  pod = podman(dir);
  ca = localCa(join(dir, 'ca'));
  const server = issue(ca, 'engine', 'server');
  const client = issue(ca, 'kms-plugin', 'client');

  // The engine from its image, on the host's network, its data and TLS files in host folders.
  const port = await freePort();
  engineUrl = `https://127.0.0.1:${port}`;
  engineName = `kh-engine-${port}`;
  const tls = ownedByImageUser(join(dir, 'engine-tls'), {
    'tls.crt': server.certFile,
    'tls.key': server.keyFile,
    'ca.crt': ca.caFile,
  });
  const data = ownedByImageUser(join(dir, 'engine-data'));
  await pod(
    'run',
    '--detach',
    '--name',
    engineName,
    '--network',
    'host',
    '--volume',
    `${tls}:/tls:ro`,
    '--volume',
    `${data}:/data`,
    ...[
      `KEYHAVEN_ENGINE_HOST=127.0.0.1`,
      `KEYHAVEN_ENGINE_PORT=${port}`,
      `KEYHAVEN_DEMO_PASSWORD=${PASSWORD}`,
      'KEYHAVEN_DEMO_SECRETS=10',
      'KEYHAVEN_TLS_CERT_FILE=/tls/tls.crt',
      'KEYHAVEN_TLS_KEY_FILE=/tls/tls.key',
      'KEYHAVEN_TLS_CLIENT_CA_FILE=/tls/ca.crt',
    ].flatMap((setting) => ['--env', setting]),
    built.engine,
  );
  await until('the engine container answering', async () =>
    (await tlsRequest(`${engineUrl}/readyz`, { ca: readFileSync(ca.caFile) })).status === 200
      ? true
      : undefined,
  );
  const token = await tlsRequest(`${engineUrl}/identity/token`, {
    ca: readFileSync(ca.caFile),
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      username: 'admin',
      password: PASSWORD,
    }).toString(),
  });
  admin = (JSON.parse(token.text) as { access_token: string }).access_token;

  // A real API server, connected to Keyhaven, KMS enabled with a root key, the plug-in's setup.
  kube = await startKube(join(dir, 'kube'), identityConfig);
  const saToken = await serviceAccountToken(kube, 'keyhaven', ['list', 'get', 'update']);
  const connected = await call<Cluster>('POST', '/v2/clusters', {
    name: 'static-pod-cluster',
    server: kube.server,
    caCertificate: kube.caCertificate(),
    token: saToken,
  });
  expect(connected.status, JSON.stringify(connected.body)).toBe(201);
  const keys = await call<{ resources: { id: string; name: string }[] }>('GET', '/api/v2/keys');
  const crk = keys.body.resources.find((k) => k.name === 'cluster-root-key-1')?.id;
  const enabled = await call('POST', '/v2/enableKMS', {
    cluster: connected.body.id,
    instance_id: INSTANCE,
    crk_id: crk,
  });
  expect(enabled.status, JSON.stringify(enabled.body)).toBe(202);
  const setup = await call<KmsPluginSetup>(
    'POST',
    `/v2/clusters/${connected.body.id}/kms-plugin-setup`,
  );
  expect(setup.status, JSON.stringify(setup.body)).toBe(201);

  // The node's folders, as the manifest's comment says to make them; the pod's health port free.
  const healthz = await freePort();
  writeFileSync(
    join(dir, 'kmsplugin-config.yaml'),
    setup.body.pluginConfig.replace('127.0.0.1:20358', `127.0.0.1:${healthz}`),
  );
  const kms = ownedByImageUser(join(dir, 'etc-kubernetes-kms'), {
    'kmsplugin-config.yaml': join(dir, 'kmsplugin-config.yaml'),
    [PLUGIN_TLS_FILES.ca.split('/').pop() ?? '']: ca.caFile,
    [PLUGIN_TLS_FILES.cert.split('/').pop() ?? '']: client.certFile,
    [PLUGIN_TLS_FILES.key.split('/').pop() ?? '']: client.keyFile,
  });
  const socketDir = ownedByImageUser(join(dir, 'var-run-keyhaven'));
  manifest = join(dir, 'kmsplugin.yaml');
  writeFileSync(
    manifest,
    readFileSync(join(root, 'deploy/static-pod/kmsplugin.yaml'), 'utf8')
      .replace(/image: keyhaven\/kms-plugin:\S+/, `image: ${built.kmsPlugin}`)
      .replace('path: /var/run/keyhaven', `path: ${socketDir}`)
      .replace('path: /etc/kubernetes/kms', `path: ${kms}`)
      .replaceAll('port: 20358', `port: ${healthz}`),
  );
  if (KUBELET_MANIFESTS) {
    // The image into the kubelet's containerd, then the manifest where the kubelet watches.
    execSync(
      `podman save ${built.kmsPlugin} | ctr --address ${CONTAINERD} -n k8s.io images import -`,
      { stdio: 'ignore' },
    );
    copyFileSync(manifest, join(KUBELET_MANIFESTS, 'keyhaven-kmsplugin.yaml'));
  } else await pod('kube', 'play', manifest);
  const hostSocket = join(socketDir, PLUGIN_SOCKET.split('/').pop() ?? '');
  await until('the plug-in ready', async () =>
    (await fetch(`http://127.0.0.1:${healthz}/healthz/readiness`)).ok ? true : undefined,
  );
  await kube.restart(encryptionConfig(hostSocket));
}, 600_000);

afterAll(async () => {
  if (skip) return;
  if (KUBELET_MANIFESTS)
    rmSync(join(KUBELET_MANIFESTS, 'keyhaven-kmsplugin.yaml'), { force: true });
  else if (manifest) await pod('kube', 'play', '--down', manifest).catch(() => '');
  if (engineName) await pod('rm', '--force', '--time', '2', engineName).catch(() => '');
  await kube?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe.skipIf(skip)(`the static pod of deploy/static-pod, run by ${runner}`, () => {
  it('serves the socket a real kube-apiserver stores new Secrets through, as KMS v2', async () => {
    const value = 'a value kept by the static pod';
    const created = await kube.request('POST', '/api/v1/namespaces/default/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'through-the-pod' },
      data: { password: Buffer.from(value).toString('base64') },
    });
    expect(created.status, created.text).toBe(201);
    const stored = await kube.etcdGet('/registry/secrets/default/through-the-pod');
    expect(stored?.subarray(0, 15).toString()).toBe('k8s:enc:kms:v2:');
    expect(stored?.includes(Buffer.from(value))).toBe(false);
    const read = await kube.request('GET', '/api/v1/namespaces/default/secrets/through-the-pod');
    const data = (read.body as { data: { password: string } }).data;
    expect(Buffer.from(data.password, 'base64').toString()).toBe(value);
  });

  it('runs both images as the non-root user 10001 on the release, without tsx', async () => {
    const inspect = async (name: string) =>
      JSON.parse(await pod('inspect', name)) as [
        { Config: { User: string; Cmd: string[]; Entrypoint: string | string[] } },
      ];
    const [engine] = await inspect(engineName);
    expect(engine.Config.User).toBe('10001:10001');
    const [plugin] = await inspect(
      KUBELET_MANIFESTS ? pluginImage : 'keyhaven-kms-plugin-kms-plugin',
    );
    expect([plugin.Config.Entrypoint, plugin.Config.Cmd].flat().join(' ')).toBe(
      '/usr/local/bin/node --enable-source-maps /app/dist/kms-plugin/main.mjs',
    );
    const logs = await pod('logs', engineName);
    expect(logs).toMatch(new RegExp(`"node":"${process.version}"`));
    expect(logs).not.toMatch(/tsx/);
  });
});
