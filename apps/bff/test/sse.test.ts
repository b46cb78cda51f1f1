import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { StatusEvent } from '@keyhaven/contracts';
import { PASSWORD, keyId } from '../../../packages/engine/test/helpers.ts';
import { startEngineServer, type EngineServer } from '../../engine/test/harness.ts';
import { bffSessionCookie, followEventStream } from '../../engine/test/process.ts';
import { EngineClient } from '../src/engine-client.ts';
import { makeBff } from './harness.ts';

let e: EngineServer;
let server: Server;
let base: string;
beforeAll(async () => {
  e = await startEngineServer({ secrets: 10 });
  server = makeBff([e.url]).listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await e.close();
});

interface Received {
  id: string;
  event: StatusEvent;
}

/** Opens one browser-like event stream and collects its status events. */
async function subscribe(cookie: string, clusterId: string, signal: AbortSignal) {
  const response = await fetch(`${base}/api/clusters/${clusterId}/events`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal,
  });
  expect(response.status).toBe(200);
  const events: Received[] = [];
  followEventStream(response, (message) => {
    events.push({ id: message.id ?? '', event: StatusEvent.parse(JSON.parse(message.data)) });
  });
  return events;
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

it('serves 50 subscribers of one cluster from a single upstream watch, each receiving every event in order', async () => {
  const cookie = await bffSessionCookie(base, 'admin', PASSWORD);
  const raw = vi.spyOn(EngineClient.prototype, 'raw');
  const abort = new AbortController();
  try {
    const streams = await Promise.all(
      Array.from({ length: 50 }, () => subscribe(cookie, 'c-dev-us-east', abort.signal)),
    );
    await until(() => streams.every((s) => s.length >= 1), 'the first snapshot on every stream');
    expect(streams.every((s) => s[0]?.event.masterStatus === 'Ready')).toBe(true);

    // An enablement emits in-progress, progress and Ready events.
    await e.t.engine.controller.enable(e.t.admin, {
      cluster: 'c-dev-us-east',
      instance_id: 'kp-us-south',
      crk_id: keyId(e.t, 'cluster-root-key-1'),
      private_endpoint: true,
    });
    await e.t.engine.controller.settled('c-dev-us-east');
    await until(
      () => streams.every((s) => s.at(-1)?.event.keyProtectEnabled === true),
      'Ready with KMS on every stream',
    );
    await new Promise((r) => setTimeout(r, 200));

    const watches = raw.mock.calls.filter(([call]) => call.path.endsWith('/watch'));
    expect(watches).toHaveLength(1);
    const reference = streams[0] ?? [];
    expect(reference.some((r) => r.event.masterStatus.startsWith('KMS feature enablement'))).toBe(
      true,
    );
    const ids = reference.map((r) => Number(r.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const stream of streams) expect(stream).toEqual(reference);
  } finally {
    abort.abort();
    raw.mockRestore();
  }
});

it('keeps the upstream watch open longer than an engine call may take, and still relays changes', async () => {
  const cookie = await bffSessionCookie(base, 'admin', PASSWORD);
  const raw = vi.spyOn(EngineClient.prototype, 'raw');
  const abort = new AbortController();
  try {
    const events = await subscribe(cookie, 'c-prod-us-south', abort.signal);
    await until(() => events.length >= 1, 'the first snapshot');
    // The harness gives engine calls 2 s; a stream is not a call that should end by then.
    await new Promise((r) => setTimeout(r, 3000));
    const crk = keyId(e.t, 'cluster-root-key-2');
    await e.t.engine.controller.enable(e.t.admin, {
      cluster: 'c-prod-us-south',
      instance_id: 'kp-us-south',
      crk_id: crk,
      private_endpoint: true,
    });
    await e.t.engine.controller.settled('c-prod-us-south');
    await until(() => events.at(-1)?.event.masterStatus === 'Ready', 'Ready after the change');
    expect(raw.mock.calls.filter(([call]) => call.path.endsWith('/watch'))).toHaveLength(1);
  } finally {
    abort.abort();
    raw.mockRestore();
  }
});
