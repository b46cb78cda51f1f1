import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import {
  makeEngine,
  type TestEngine,
  type TestEngineOptions,
} from '../../../packages/engine/test/helpers.ts';
import { createApp } from '../src/app.ts';

export interface EngineServer {
  t: TestEngine;
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** A real engine behind its real HTTP API, on a free loopback port. */
export async function startEngineServer(options: TestEngineOptions = {}): Promise<EngineServer> {
  const t = await makeEngine(options);
  const server = createApp(t.engine, pino({ level: 'silent' })).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    t,
    server,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}
