import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '../src/engine-client.ts';

/**
 * Issue 30, walk fault 1: one engine call that takes too long (a cluster check, say) is that
 * call's failure. Before, it marked the whole engine down: every session's status stream ended
 * and every call answered "not answering" until the next health check.
 */
let server: http.Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

async function engineWithSlowPath() {
  server = http.createServer((req, res) => {
    if (req.url === '/healthz') return void res.end('{"status":"ok"}');
    // /slow never answers.
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
}

describe('the BFF’s engine client', () => {
  it('answers a timed-out call with ENGINE_TIMEOUT and keeps the engine up for the rest', async () => {
    const url = await engineWithSlowPath();
    const client = new EngineClient({
      urls: [url],
      timeoutMs: 300,
      readRetries: 0,
      logger: pino({ level: 'silent' }),
    });
    client.startHealthProbe();
    try {
      await expect(
        client.raw({ method: 'POST', path: '/slow', headers: {}, body: '{}' }),
      ).rejects.toMatchObject({ status: 503, code: 'ENGINE_TIMEOUT' });
      expect(client.outage).toBeUndefined();
      await expect(client.ping()).resolves.toBeUndefined();
    } finally {
      client.stopHealthProbe();
    }
  });
});
