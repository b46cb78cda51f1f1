import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineClient } from '../src/engine-client.ts';
import { MAX_ANSWER_BYTES } from '../src/engine-http.ts';

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

describe('the BFF’s engine transport', () => {
  async function engine(handler: http.RequestListener) {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
  }
  const client = (url: string) =>
    new EngineClient({ urls: [url], readRetries: 0, logger: pino({ level: 'silent' }) });

  it('refuses an answer larger than its bound instead of buffering it', async () => {
    const url = await engine((_req, res) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i <= MAX_ANSWER_BYTES / chunk.length; i++) res.write(chunk);
      res.end();
    });
    const answer = await client(url).raw({ method: 'GET', path: '/big', headers: {} });
    await expect(answer.text()).rejects.toThrow(`larger than ${MAX_ANSWER_BYTES} bytes`);
  });

  it('keeps the path of an engine URL behind a prefix and sends the headers it is given', async () => {
    const seen: { url?: string; auth?: string } = {};
    const url = await engine((req, res) => {
      Object.assign(seen, { url: req.url, auth: req.headers.authorization });
      res.end('{"ok":true}');
    });
    const answer = await client(`${url}/engine/`).raw({
      method: 'GET',
      path: '/api/v2/keys?limit=1',
      headers: { authorization: 'Bearer t' },
    });
    expect(await answer.text()).toBe('{"ok":true}');
    expect(seen).toEqual({ url: '/engine/api/v2/keys?limit=1', auth: 'Bearer t' });
  });

  it('ends a call whose caller cancels, with the caller’s reason', async () => {
    const url = await engine(() => {
      // never answers
    });
    const cancel = new AbortController();
    const call = client(url).raw({ method: 'GET', path: '/slow', headers: {} }, cancel.signal);
    setTimeout(() => cancel.abort(new Error('the user cancelled')), 50);
    await expect(call).rejects.toThrow('the user cancelled');
  });
});
