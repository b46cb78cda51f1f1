import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/index.ts';
import { storeConformance } from './store-suite.ts';

storeConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kh-store-'));
  const store = new SqliteStore(join(dir, 's.sqlite'));
  return {
    store,
    peer: store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
