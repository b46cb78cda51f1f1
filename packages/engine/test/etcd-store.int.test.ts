import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { defaultEtcdSettings, EtcdStore } from '../src/index.ts';
import { startEtcdCluster, type EtcdCluster } from '../../../scripts/etcd-cluster.ts';
import { storeConformance } from './store-suite.ts';

let etcd: EtcdCluster;
beforeAll(async () => {
  etcd = await startEtcdCluster(mkdtempSync(join('/dev/shm', 'kh-etcd-')));
});
afterAll(async () => {
  await etcd.stop();
});

storeConformance('etcd (3 members on loopback)', async () => {
  const open = () => new EtcdStore({ ...defaultEtcdSettings, endpoints: etcd.endpoints });
  const store = open();
  const peer = open();
  return {
    store,
    peer,
    async close() {
      // Each test starts on an empty key space, as with a fresh SQLite file.
      await store.client.delete().all();
      await store.close();
      await peer.close();
    },
  };
});
