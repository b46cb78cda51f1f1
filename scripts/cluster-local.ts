// `npm run cluster:local`: a 3-member etcd, two engine replicas and two BFF replicas on loopback,
// all stopped by Ctrl-C. The etcd data is fresh on each run (under /dev/shm when it exists).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEtcdCluster } from './etcd-cluster.ts';
// @ts-expect-error: a plain ES module shared with scripts/start.mjs
import { createSupervisor, prepare } from './supervisor.mjs';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.KEYHAVEN_DATA_DIR ?? 'data/cluster');
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const env: Record<string, string | undefined> = {
  ...process.env,
  IBM_TELEMETRY_DISABLED: 'true',
  KEYHAVEN_DATA_DIR: dataDir,
  KEYHAVEN_WEB_DIST: process.env.KEYHAVEN_WEB_DIST ?? join(root, 'dist/web'),
};
prepare(root, env);

console.log('> Starting a 3-member etcd cluster on loopback');
const etcdParent = existsSync('/dev/shm') ? '/dev/shm' : dataDir;
const etcd = await startEtcdCluster(mkdtempSync(join(etcdParent, 'keyhaven-etcd-')));
const { service, waitFor, stopping } = createSupervisor({
  root,
  env: {
    ...env,
    KEYHAVEN_STORE: 'etcd',
    KEYHAVEN_ETCD_ENDPOINTS: etcd.endpoints.join(','),
    // Both BFF replicas accept each other's sessions: they share the session secret.
    KEYHAVEN_SESSION_SECRET: process.env.KEYHAVEN_SESSION_SECRET ?? randomBytes(32).toString('hex'),
  },
  logDir: join(dataDir, 'logs'),
  onStop: () => etcd.stop(),
});

const engines = [8091, 8092];
const bffs = [8080, 8082];
const engineUrls = engines.map((port) => `http://127.0.0.1:${port}`).join(',');
for (const [i, port] of engines.entries()) {
  console.log(
    `> Starting engine replica ${i + 1} on port ${port}${i === 0 ? ' (seeds demo data)' : ''}`,
  );
  service(`engine-${i + 1}`, 'dist/engine/main.mjs', { KEYHAVEN_ENGINE_PORT: String(port) });
  await waitFor(`http://127.0.0.1:${port}/readyz`, `Engine replica ${i + 1}`);
}
for (const [i, port] of bffs.entries()) {
  service(`bff-${i + 1}`, 'dist/bff/main.mjs', {
    KEYHAVEN_PORT: String(port),
    KEYHAVEN_ENGINE_URL: engineUrls,
  });
  await waitFor(`http://127.0.0.1:${port}/healthz`, `Console server replica ${i + 1}`);
}
if (!stopping()) {
  console.log('\n  Keyhaven on etcd, two replicas of each service:');
  for (const port of bffs) console.log(`    console: http://127.0.0.1:${port}/`);
  console.log(`    engines: ${engineUrls}`);
  console.log(`    etcd:    ${etcd.endpoints.join(',')}`);
  console.log(
    `    etcdctl: ETCDCTL_API=3 etcdctl --endpoints=${etcd.endpoints[0]} get --prefix /clusters/c-prod-us-south/registry/secrets/ --keys-only --limit 3`,
  );
  console.log(`  Logs: ${join(dataDir, 'logs')}   Stop: Ctrl-C\n`);
}
