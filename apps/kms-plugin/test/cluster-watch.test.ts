import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { engineApi, pathOf, type StatusEvent } from '@keyhaven/contracts';
import { watchCluster, type WatchedEngine } from '../src/cluster-watch.ts';

/**
 * Issue 25: the plug-in follows its cluster through the engine's status stream, and whatever
 * bytes come on it (from the engine or a proxy before it) it goes on. Before the fix, one line
 * that was not JSON threw outside any handler and the plug-in process died.
 */
const event: StatusEvent = {
  clusterId: 'kc-1',
  revision: 7,
  masterStatus: 'Ready',
  masterHealth: 'normal',
  modifiedDate: '2026-12-03T20:00:00.000Z',
  progress: null,
  keyProtectEnabled: true,
  kms: { instanceId: 'kp-us-south', crkId: 'key-a', keyVersion: 'v2' },
};

let server: http.Server | undefined;
let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  server?.closeAllConnections();
  server?.close();
});

/** A status stream that sends the given raw bytes, then one good event, then stays open. */
async function streamOf(raw: string): Promise<WatchedEngine> {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(raw);
    res.write(`event: status\ndata: ${JSON.stringify(event)}\n\n`);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    watchUrl: (id) => new URL(`http://127.0.0.1:${port}${pathOf(engineApi.watchCluster, { id })}`),
    authorization: async () => 'token',
    agentFor: () => new http.Agent(),
    forgetToken: () => undefined,
  };
}

function follow(engine: WatchedEngine) {
  const seen: StatusEvent[] = [];
  const skipped: string[] = [];
  const errors: string[] = [];
  stop = watchCluster(
    engine,
    'kc-1',
    (e) => seen.push(e),
    (reason) => errors.push(reason),
    (reason) => skipped.push(reason),
  );
  return { seen, skipped, errors };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
};

describe('the plug-in’s cluster watch', () => {
  it('skips an event that is not JSON, or not a status event, and takes the next one', async () => {
    const watch = follow(
      await streamOf('data: {not json\n\ndata: {"clusterId": 5}\n\ndata: \u001b[2J\n\n'),
    );
    await until(() => watch.seen.length > 0);
    expect(watch.seen).toEqual([event]);
    expect(watch.skipped).toEqual([
      'the engine sent a status event that is not JSON; skipped it',
      'the engine sent a status event of another shape; skipped it',
      'the engine sent a status event that is not JSON; skipped it',
    ]);
    expect(watch.errors).toEqual([]);
  });

  it('ends a stream that sends an endless event, and says why', async () => {
    const watch = follow(await streamOf(`data: ${'x'.repeat(70 * 1024)}`));
    await until(() => watch.errors.length > 0);
    expect(watch.errors[0]).toBe('the engine sent a status event over 64 KiB');
    expect(watch.seen).toEqual([]);
  });
});
