import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pino } from 'pino';
import request from 'supertest';
import {
  PASSWORD,
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

/** A bearer token for a demo user (the demo password), through the engine's own token API. */
export async function passwordToken(url: string, username: string): Promise<string> {
  const res = await request(url)
    .post('/identity/token')
    .type('form')
    .send({ grant_type: 'password', username, password: PASSWORD });
  return res.body.access_token as string;
}
