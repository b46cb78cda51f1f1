/**
 * `npm run bench -w apps/kms-plugin -- --outage [seconds]`: what a connected cluster does while
 * Keyhaven's engine is down (issue 29's outage figures, for README's operations section).
 * A real kube-apiserver stores Secrets through the plug-in; then the engine is SIGKILLed and:
 * 1. for `seconds` (default 60), once a second, the API server creates a Secret and reads one
 *    written before the outage: how many of each succeed;
 * 2. the API server is restarted while the engine is still down: whether it reads and writes;
 * 3. the engine comes back: how long until the restarted API server reads and writes again.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  apiKeyFor,
  freePort,
  spawnDemoEngine,
  tokenFor,
  type EngineProcess,
} from '../../engine/test/process.ts';
import { encryptionConfig, startKube, type Kube } from '../test/kube.ts';
import { pluginConfig, spawnPlugin, stopPlugin } from '../test/plugin.ts';

const PASSWORD = 'kms-plugin-outage-password';
const BEFORE = 50;
const seconds = Number(process.argv[process.argv.indexOf('--outage') + 1]) || 60;

const secret = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  data: { value: randomBytes(32).toString('base64') },
});
const create = async (kube: Kube, name: string) =>
  (await kube.request('POST', '/api/v1/namespaces/default/secrets', secret(name))).status === 201;
const read = async (kube: Kube, name: string) =>
  (await kube.request('GET', `/api/v1/namespaces/default/secrets/${name}`)).status === 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seconds until `probe` holds, polling every 250 ms for at most `limit` seconds (else null). */
async function secondsUntil(probe: () => Promise<boolean>, limit = 300): Promise<number | null> {
  const start = performance.now();
  while (performance.now() - start < limit * 1000) {
    if (await probe().catch(() => false)) return (performance.now() - start) / 1000;
    await sleep(250);
  }
  return null;
}

const dir = mkdtempSync('/tmp/kho-');
const enginePort = await freePort();
let engine: EngineProcess | undefined = await spawnDemoEngine(dir, PASSWORD, {}, enginePort);
const stops: (() => Promise<unknown>)[] = [];
try {
  const admin = await tokenFor(engine.url, 'admin', PASSWORD);
  const keys = (await (
    await fetch(`${engine.url}/api/v2/keys`, {
      headers: { authorization: `Bearer ${admin}`, 'bluemix-instance': 'kp-us-south' },
    })
  ).json()) as { resources: { id: string; name: string }[] };
  const plugin = await spawnPlugin(
    dir,
    pluginConfig({
      engineUrl: engine.url,
      apiKey: await apiKeyFor(engine.url, 'admin', PASSWORD),
      instanceId: 'kp-us-south',
      rootKeyId: keys.resources.find((k) => k.name === 'cluster-root-key-1')?.id ?? '',
      socketPath: join(dir, 'kms.sock'),
      healthzPort: await freePort(),
    }).replace('LOG_LEVEL: "debug"', 'LOG_LEVEL: "warn"'),
  );
  stops.push(() => stopPlugin(plugin));
  const kube = await startKube(join(dir, 'kube'), encryptionConfig(plugin.socketPath));
  stops.push(() => kube.stop());
  for (let i = 0; i < BEFORE; i++)
    if (!(await create(kube, `before-${i}`))) throw new Error('a Secret was not created');

  engine.child.kill('SIGKILL');
  await engine.exited;
  engine = undefined;
  let created = 0;
  let readBack = 0;
  let firstFailure: number | null = null;
  const outageStart = performance.now();
  for (let n = 0; n < seconds; n++) {
    const tick = performance.now();
    const wrote = await create(kube, `during-${n}`);
    const got = await read(kube, `before-${n % BEFORE}`);
    created += wrote ? 1 : 0;
    readBack += got ? 1 : 0;
    if ((!wrote || !got) && firstFailure === null)
      firstFailure = (performance.now() - outageStart) / 1000;
    await sleep(Math.max(0, 1000 - (performance.now() - tick)));
  }
  console.log(`The engine down (SIGKILL), the running API server, ${seconds} s, once a second:`);
  console.log(
    `  creates: ${created} of ${seconds} succeeded; reads of earlier Secrets: ${readBack} of ${seconds}`,
  );
  console.log(
    `  ${firstFailure === null ? 'no call failed' : `first failure after ${firstFailure.toFixed(1)} s`}`,
  );

  const restartStart = performance.now();
  await kube.restart(undefined, [], '/livez');
  const live = (performance.now() - restartStart) / 1000;
  const readsAfterRestart = await read(kube, 'before-0');
  const writesAfterRestart = await create(kube, 'after-restart');
  const readyz = (await kube.request('GET', '/readyz')).status;
  console.log('The API server restarted while the engine is down:');
  console.log(
    `  live after ${live.toFixed(1)} s; /readyz ${readyz}; reads an earlier Secret: ${readsAfterRestart ? 'yes' : 'no'}; creates one: ${writesAfterRestart ? 'yes' : 'no'}`,
  );

  const back = performance.now();
  engine = await spawnDemoEngine(dir, PASSWORD, {}, enginePort);
  const engineUp = (performance.now() - back) / 1000;
  const fromBack = async (probe: () => Promise<boolean>) =>
    (await secondsUntil(probe)) === null ? null : (performance.now() - back) / 1000;
  const reads = await fromBack(() => read(kube, 'before-1'));
  let n = 0;
  const writes = await fromBack(() => create(kube, `after-engine-${n++}`));
  const ready = await fromBack(async () => (await kube.request('GET', '/readyz')).status === 200);
  const since = (s: number | null) => (s === null ? 'not within 300 s' : `${s.toFixed(1)} s`);
  console.log('The engine back (same data and port), times from its start:');
  console.log(
    `  engine ready after ${engineUp.toFixed(1)} s; the restarted API server reads again after ${since(reads)}, creates after ${since(writes)}, /readyz 200 after ${since(ready)}`,
  );
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  if (engine) {
    engine.child.kill('SIGTERM');
    await engine.exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
