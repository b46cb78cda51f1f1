/**
 * `npm run bench -w apps/kms-plugin`, in one run:
 * 1. Encrypt and Decrypt over the unix socket, at 1 and 16 concurrent callers: throughput and p99
 *    of the plug-in next to a bare @grpc/grpc-js echo service of the same proto on the same kind
 *    of socket. Target: at least 50% of bare.
 * 2. Through a real kube-apiserver: creating 2,000 Secrets with the KMS v2 provider (the plug-in)
 *    against the identity provider. Target: p95 within 1.3x of identity.
 * 3. The same API server restarted over 10,000 Secrets: the time until a full LIST of them is
 *    answered (it must decrypt what it reads), KMS v2 against identity, and how many Decrypt
 *    calls the plug-in served for it. Target: within 1.2x of identity (issue 29).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { apiKeyFor, freePort, spawnDemoEngine, tokenFor } from '../../engine/test/process.ts';
import { encryptionConfig, startKube } from '../test/kube.ts';
import {
  kmsClient,
  pluginConfig,
  spawnPlugin,
  stopPlugin,
  type KmsClient,
} from '../test/plugin.ts';

const PASSWORD = 'kms-plugin-bench-password';
const SECONDS = 3;
const SECRETS = 2_000;
const WRITERS = 8;
/** Secrets the restarted API server lists. */
const LISTED = 10_000;

interface Figures {
  perSecond: number;
  p99: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** `callers` loops calling `call` for SECONDS; every latency is kept. */
async function load(callers: number, call: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        const start = performance.now();
        await call(n++);
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / SECONDS, p99: quantile(latencies, 0.99) };
}

async function spawnEcho(socketPath: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, 'echo-server.ts'), socketPath],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((ok, fail) => {
    child.stdout?.on('data', (d) => String(d).includes('listening') && ok());
    child.once('exit', () => fail(new Error('the echo server exited')));
  });
  return child;
}

const row = (label: string, plugin: Figures, bare: Figures) => {
  const ratio = plugin.perSecond / bare.perSecond;
  console.log(
    `  ${label.padEnd(34)} ${plugin.perSecond.toFixed(0).padStart(7)}/s p99 ${plugin.p99.toFixed(2).padStart(6)} ms` +
      `   bare ${bare.perSecond.toFixed(0).padStart(7)}/s p99 ${bare.p99.toFixed(2).padStart(6)} ms` +
      `   ${(ratio * 100).toFixed(0).padStart(3)}% of bare ${ratio >= 0.5 ? 'MET' : 'MISSED'}`,
  );
};

async function socketBench(clients: { plugin: KmsClient; uncached: KmsClient; bare: KmsClient }) {
  const seeds = Array.from({ length: 64 }, () => randomBytes(32));
  const sealed = await Promise.all(seeds.map((s) => clients.plugin.encrypt(s)));
  const uncachedSealed = await Promise.all(seeds.map((s) => clients.uncached.encrypt(s)));
  const bareSealed = await Promise.all(seeds.map((s) => clients.bare.encrypt(s)));
  const at = <T>(list: T[], i: number) => list[i % list.length] as T;
  // Warm up both sides (JIT, connections, the engine's caches) before anything is measured.
  await load(4, (i) => clients.bare.encrypt(at(seeds, i)));
  await load(4, (i) => clients.plugin.encrypt(at(seeds, i)));
  console.log(
    `KMS v2 calls over the unix socket, ${SECONDS} s each (target: at least 50% of bare)`,
  );
  for (const callers of [1, 16]) {
    const bareEncrypt = await load(callers, (i) => clients.bare.encrypt(at(seeds, i)));
    row(
      `Encrypt, ${callers} caller(s)`,
      await load(callers, (i) => clients.plugin.encrypt(at(seeds, i))),
      bareEncrypt,
    );
    const bareDecrypt = await load(callers, (i) => clients.bare.decrypt(at(bareSealed, i)));
    row(
      `Decrypt, ${callers} caller(s)`,
      await load(callers, (i) => clients.plugin.decrypt(at(sealed, i))),
      bareDecrypt,
    );
    row(
      `Decrypt, cache off, ${callers} caller(s)`,
      await load(callers, (i) => clients.uncached.decrypt(at(uncachedSealed, i))),
      bareDecrypt,
    );
  }
}

/** Creates Secrets `from`…`to - 1` through the API server, WRITERS at a time; each latency. */
async function createSecrets(
  kube: Awaited<ReturnType<typeof startKube>>,
  from = 0,
  to = SECRETS,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = from;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let i = next++; i < to; i = next++) {
        const start = performance.now();
        const created = await kube.request('POST', '/api/v1/namespaces/default/secrets', {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: `bench-${i}` },
          data: { value: randomBytes(48).toString('base64') },
        });
        latencies.push(performance.now() - start);
        if (created.status !== 201)
          throw new Error(`create answered ${created.status}: ${created.text}`);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

/** Decrypt calls the plug-in has served, from its Prometheus metrics. */
async function decryptCalls(healthzPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${healthzPort}/metrics`)).text();
  return [
    ...text.matchAll(/^keyhaven_kms_plugin_calls_total\{[^}]*method="Decrypt"[^}]*\} (\d+)/gm),
  ]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
}

/**
 * Fills the API server up to LISTED Secrets, restarts it, and times the first full LIST after
 * the restart (from the restart, and from its readyz), with the Decrypt calls made meanwhile.
 */
async function listAfterRestart(kube: Awaited<ReturnType<typeof startKube>>, healthzPort: number) {
  await createSecrets(kube, SECRETS, LISTED);
  const before = await decryptCalls(healthzPort);
  const start = performance.now();
  await kube.restart();
  const ready = performance.now();
  const listed = await kube.request('GET', '/api/v1/namespaces/default/secrets');
  const end = performance.now();
  const items = (listed.body as { items?: unknown[] }).items?.length ?? 0;
  if (listed.status !== 200 || items !== LISTED)
    throw new Error(`the LIST answered ${listed.status} with ${items} Secrets`);
  return {
    total: end - start,
    list: end - ready,
    decrypts: (await decryptCalls(healthzPort)) - before,
  };
}

async function apiServerBench(dir: string, socketPath: string, healthzPort: number) {
  const results: Record<string, number[]> = {};
  const restarts: Record<string, Awaited<ReturnType<typeof listAfterRestart>>> = {};
  for (const [name, encryption] of [
    ['identity', encryptionConfig(socketPath).replace(/ {6}- kms:[\s\S]*?(?= {6}- identity)/, '')],
    ['KMS v2 (plug-in)', encryptionConfig(socketPath)],
  ] as const) {
    const kube = await startKube(
      join(dir, `kube-${results.identity ? 'kms' : 'identity'}`),
      encryption,
    );
    try {
      results[name] = await createSecrets(kube);
      restarts[name] = await listAfterRestart(kube, healthzPort);
    } finally {
      await kube.stop();
    }
  }
  const identity = results.identity ?? [];
  const kms = results['KMS v2 (plug-in)'] ?? [];
  const p = (l: number[], q: number) => quantile(l, q).toFixed(1);
  console.log(`\nCreating ${SECRETS} Secrets through a real kube-apiserver, ${WRITERS} at a time`);
  for (const [label, l] of [
    ['identity (baseline)', identity],
    ['KMS v2 (plug-in)', kms],
  ] as const)
    console.log(
      `  ${label.padEnd(22)} p50 ${p(l, 0.5)} ms   p95 ${p(l, 0.95)} ms   p99 ${p(l, 0.99)} ms`,
    );
  const ratio = quantile(kms, 0.95) / quantile(identity, 0.95);
  console.log(
    `  p95 ratio ${ratio.toFixed(2)}x (target: within 1.3x) ${ratio <= 1.3 ? 'MET' : 'MISSED'}`,
  );
  console.log(
    `\nThe API server restarted over ${LISTED.toLocaleString('en-US')} Secrets: restart to a full LIST answered`,
  );
  const plain = restarts.identity;
  const sealed = restarts['KMS v2 (plug-in)'];
  if (!plain || !sealed) return;
  for (const [label, r] of [
    ['identity (baseline)', plain],
    ['KMS v2 (plug-in)', sealed],
  ] as const)
    console.log(
      `  ${label.padEnd(22)} ${r.total.toFixed(0)} ms (LIST after readyz: ${r.list.toFixed(0)} ms)   plug-in Decrypt calls: ${r.decrypts}`,
    );
  const listRatio = sealed.total / plain.total;
  console.log(
    `  ratio ${listRatio.toFixed(2)}x (target: within 1.2x) ${listRatio <= 1.2 ? 'MET' : 'MISSED'}`,
  );
}

// `-- --outage [seconds]`: the figures of a cluster while the engine is down, instead.
if (process.argv.includes('--outage')) {
  await import('./outage.ts');
  process.exit(0);
}

const dir = mkdtempSync('/tmp/khb-');
const engine = await spawnDemoEngine(dir, PASSWORD);
const stops: (() => Promise<unknown>)[] = [];
try {
  const admin = await tokenFor(engine.url, 'admin', PASSWORD);
  const keys = (await (
    await fetch(`${engine.url}/api/v2/keys`, {
      headers: { authorization: `Bearer ${admin}`, 'bluemix-instance': 'kp-us-south' },
    })
  ).json()) as { resources: { id: string; name: string }[] };
  const settings = {
    engineUrl: engine.url,
    apiKey: await apiKeyFor(engine.url, 'admin', PASSWORD),
    instanceId: 'kp-us-south',
    rootKeyId: keys.resources.find((k) => k.name === 'cluster-root-key-1')?.id ?? '',
    socketPath: join(dir, 'kms.sock'),
    healthzPort: await freePort(),
  };
  const quiet = (config: string) => config.replace('LOG_LEVEL: "debug"', 'LOG_LEVEL: "warn"');
  const plugin = await spawnPlugin(dir, quiet(pluginConfig(settings)));
  stops.push(() => stopPlugin(plugin));
  const uncached = await spawnPlugin(
    dir,
    quiet(
      pluginConfig({
        ...settings,
        socketPath: join(dir, 'uncached.sock'),
        healthzPort: await freePort(),
      }),
    ).replace('CACHE_TIMEOUT_IN_HOURS: 1', 'CACHE_TIMEOUT_IN_HOURS: 0'),
  );
  stops.push(() => stopPlugin(uncached));
  const echo = await spawnEcho(join(dir, 'echo.sock'));
  stops.push(async () => echo.kill('SIGTERM'));
  const clients = {
    plugin: kmsClient(plugin.socketPath),
    uncached: kmsClient(uncached.socketPath),
    bare: kmsClient(join(dir, 'echo.sock')),
  };
  await socketBench(clients);
  Object.values(clients).forEach((c) => c.close());
  await apiServerBench(dir, plugin.socketPath, settings.healthzPort);
} finally {
  for (const stop of stops.reverse()) await stop();
  engine.child.kill('SIGTERM');
  await engine.exited;
  rmSync(dir, { recursive: true, force: true });
}
