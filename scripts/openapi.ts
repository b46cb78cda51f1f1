/**
 * Writes the OpenAPI documents of the engine and the console API, as their servers serve them at
 * `/openapi.json` and `/api/openapi.json`, into a folder (default `.tmp/openapi`), for linting and
 * for client generators: `node --import tsx scripts/openapi.ts [folder]`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { createEngine, loadOrCreateKek, SoftwareKeyAdapter, SqliteStore } from '@keyhaven/engine';
import { createApp as createEngineApp } from '../apps/engine/src/app.ts';
import { createApp as createBffApp } from '../apps/bff/src/app.ts';
import { EngineClient } from '../apps/bff/src/engine-client.ts';
import { createMetrics } from '../apps/bff/src/metrics.ts';
import { Sessions } from '../apps/bff/src/session.ts';

const out = resolve(process.argv[2] ?? '.tmp/openapi');
const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'keyhaven-openapi-'));
try {
  const store = new SqliteStore(join(dir, 'store.sqlite'));
  const keyAdapter = new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin')));
  const engine = createEngine({ store, keyAdapter, logger });
  const bff = createBffApp({
    engine: new EngineClient({ urls: ['http://127.0.0.1:9'], logger }),
    sessions: new Sessions({ secret: 'x'.repeat(32) }),
    logger,
    metrics: createMetrics(),
  });
  mkdirSync(out, { recursive: true });
  const documents = {
    'engine.json': (await request(createEngineApp(engine, logger)).get('/openapi.json')).body,
    'bff.json': (await request(bff).get('/api/openapi.json')).body,
  };
  for (const [name, doc] of Object.entries(documents))
    writeFileSync(join(out, name), JSON.stringify(doc, null, 2) + '\n');
  bff.emit('shutdown');
  await engine.close();
  console.log(`OpenAPI documents written to ${out}: ${Object.keys(documents).join(', ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
