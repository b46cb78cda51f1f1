// `npm run soak -- --minutes N [--seed S]`: the whole system on loopback under steady writes, a
// controller changing keys, and a SIGKILL every 20–40 s; then the invariants, checked from the
// outside, and one table. Any lost or stale write or violated invariant fails the run (exit 1).
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Cluster } from '@keyhaven/contracts';
import type { HttpMethod } from '../../apps/engine/test/process.ts';
import {
  ConsoleClient,
  controlCluster,
  type ControllerStats,
  type FinishedJob,
} from './controller.ts';
import { injectFaults, type Fault } from './faults.ts';
import {
  kubeStoreUnderKey,
  logFileCount,
  markersInLogs,
  pluginsMatchKey,
  storeUnderKeys,
} from './invariants.ts';
import { Ledger } from './ledger.ts';
import { until } from './processes.ts';
import { printTable } from './report.ts';
import { DEMO_CLUSTERS, INSTANCE, enableConnected, startSystem, type System } from './system.ts';
import {
  checkSources,
  engineSource,
  kubeSource,
  runChecker,
  runWriter,
  type SecretSource,
} from './workload.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '2' }, seed: { type: 'string' } },
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 240)) throw new Error('--minutes must be between 0 and 240');
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const startedAt = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}`);
console.log(
  `> Soak of ${minutes} min, seed ${seed} (replay: npm run soak -- --minutes ${minutes} --seed ${seed})`,
);

const dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kh-soak-'));
const password = randomBytes(12).toString('hex');
// 24 characters: the base64 of every value then starts with the marker's own base64.
const marker = `soak-secret-${randomBytes(6).toString('hex')}`;
const ledger = new Ledger(marker);
const names = (prefix: string) => Array.from({ length: 50 }, (_, i) => `${prefix}-${i}`);

async function newKey(system: System, name: string): Promise<string> {
  const created = await system.engine<{ resources: { id: string }[] }>('POST', '/api/v2/keys', {
    metadata: { collectionType: 'application/vnd.ibm.kms.key+json', collectionTotal: 1 },
    resources: [{ type: 'application/vnd.ibm.kms.key+json', name, extractable: false }],
  });
  const id = created.body.resources?.[0]?.id;
  if (created.status !== 201 || !id) throw new Error(`creating ${name}: ${created.status}`);
  return id;
}

const clusterOf = async (system: System, id: string) =>
  (await system.engine<Cluster>('GET', `/v2/clusters/${id}`)).body;
const settled = (c: Cluster) => c.masterStatus === 'Ready' && c.enablement?.state === 'succeeded';

/** Starts everything and enables KMS on all three clusters; 300 Secrets in the connected one. */
async function prepare(system: System): Promise<SecretSource[]> {
  const first = kubeSource('apiserver-1', system.kube.request);
  await Promise.all(
    names('seeded').map((name) =>
      ledger.write(`apiserver-1/${name}`, (value) => first.write(name, value)),
    ),
  );
  await enableConnected(system, dir, await newKey(system, 'soak-connected-0'));
  log(`connected cluster ${system.connectedId} Ready with two API servers and their plug-ins`);
  for (const id of DEMO_CLUSTERS) {
    const crk = await newKey(system, `soak-${id}-0`);
    const accepted = await system.engine('POST', '/v2/enableKMS', {
      cluster: id,
      instance_id: INSTANCE,
      crk_id: crk,
    });
    if (accepted.status !== 202) throw new Error(`enableKMS ${id}: ${accepted.status}`);
    await until(`${id} Ready`, async () => settled(await clusterOf(system, id)), 300);
    log(`demo cluster ${id} Ready`);
  }
  const second = system.second;
  if (!second) throw new Error('no second API server');
  return [
    first,
    kubeSource('apiserver-2', second.request),
    ...DEMO_CLUSTERS.map((id) =>
      engineSource(id, (method, path, body) => system.engine(method as HttpMethod, path, body)),
    ),
  ];
}

/** The run itself: writers, checker, controller and faults until the minutes are up. */
async function run(system: System, sources: SecretSource[]) {
  const stopAt = Date.now() + minutes * 60_000;
  const stop = () => Date.now() >= stopAt;
  const stats: ControllerStats = { jobs: [], violations: [] };
  const operator = new ConsoleClient(system.bffUrl, 'admin', password);
  const [faults] = await Promise.all([
    injectFaults(system.targets, seed, startedAt, stop, log),
    ...sources.map((source, i) => runWriter(ledger, source, names(`soak-${i}`), 4, stop)),
    runChecker(ledger, sources, stop),
    ...[system.connectedId, ...DEMO_CLUSTERS].map((id) =>
      controlCluster(operator, id, stop, stats).then(() => log(`controller of ${id} stopped`)),
    ),
  ]);
  return { faults, stats };
}

/** Once quiet: every job done, every value read back, both etcds and the plug-ins checked. */
async function verify(system: System, sources: SecretSource[], violations: string[]) {
  const ids = [system.connectedId, ...DEMO_CLUSTERS];
  await until(
    'every cluster Ready with its job finished',
    async () => (await Promise.all(ids.map((id) => clusterOf(system, id)))).every(settled),
    300,
  ).catch((err: Error) => violations.push(err.message.split('\n')[0] ?? ''));
  await checkSources(ledger, sources);
  const [connected, ...demo] = await Promise.all(ids.map((id) => clusterOf(system, id)));
  violations.push(
    ...(await kubeStoreUnderKey(system.kube, connected as Cluster)),
    ...(await storeUnderKeys(system.store.endpoints, demo)),
    ...(await pluginsMatchKey(system.pluginSockets, connected as Cluster)),
  );
  for (const member of system.store.members)
    writeFileSync(join(system.logDirs[0] as string, `${member.name}.log`), member.output);
  if (logFileCount(system.logDirs) < 8) violations.push('fewer logs than processes to check');
  violations.push(...markersInLogs(system.logDirs, marker));
}

let faults: Fault[] = [];
const violations: string[] = [];
let jobs: FinishedJob[] = [];
const system = await startSystem(dir, password);
try {
  const sources = await prepare(system);
  log(`${system.targets.length} processes may be killed; writing for ${minutes} min`);
  const result = await run(system, sources);
  faults = result.faults;
  jobs = result.stats.jobs;
  violations.push(...result.stats.violations);
  log('quiescing and checking the invariants');
  await verify(system, sources, violations);
} catch (err) {
  violations.push(`the soak itself failed: ${(err as Error).stack ?? String(err)}`);
} finally {
  await system.stop().catch(() => undefined);
}
const failed = printTable({ minutes, seed, ledger, faults, jobs, violations });
if (failed) console.log(`\nLogs kept in ${dir}`);
else rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
