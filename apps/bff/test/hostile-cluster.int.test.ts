import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSigned } from '../../../scripts/self-signed.ts';
import {
  bffSessionCookie,
  freePort,
  spawnBff,
  spawnEngine,
  tokenFor,
  type EngineProcess,
} from '../../engine/test/process.ts';

/**
 * Issue 25, finding 2: a "cluster" is whatever answers at the URL an administrator connects. A
 * hostile one answered a 600 MB body (the engine died), a gitVersion that is an object (every
 * cluster listing of the account answered 502) or of 3 MB, or nothing at all (the console called
 * the whole engine down). Each is replayed here against the real engine and BFF processes.
 */
const PASSWORD = 'hostile-cluster-password';
let dir: string;
let engine: EngineProcess;
let bffUrl: string;
let bff: Awaited<ReturnType<typeof spawnBff>>['bff'];
let admin: string;
let certificate: string;
let server: Server;
let serverUrl: string;
/** How the hostile server answers /version now. */
let behaviour: 'huge' | 'object' | 'long' | 'wordy' | 'silent' | 'slow' = 'huge';
const sockets = new Set<Socket>();

/** Streams about 600 MB of JSON-looking bytes for as long as the client reads. */
function streamHuge(res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(1 << 20, 'a');
  let sent = 0;
  const pump = () => {
    while (sent < 600 && !res.destroyed) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.write('{"gitVersion":"');
  pump();
}

const connect = async () => {
  const res = await fetch(`${engine.url}/v2/clusters`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `hostile-${behaviour}`,
      server: serverUrl,
      caCertificate: certificate,
      token: 'any-token',
    }),
  });
  return { status: res.status, body: (await res.json()) as { code: string; message: string } };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhaven-hostile-'));
  // A certificate for 127.0.0.1, so TLS succeeds and the answer is what is tested.
  const tls = selfSigned(dir, 'hostile', '127.0.0.1');
  certificate = tls.cert;
  server = createServer(tls, (req, res) => {
    if (behaviour === 'silent') return; // TLS is up; no answer ever comes
    if (behaviour === 'huge') return streamHuge(res);
    if (behaviour === 'slow' && req.url?.includes('/version')) {
      // A real cluster, only slow: its check would pass after 3 s.
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ gitVersion: 'v1.37.2' }));
      }, 3_000);
      return;
    }
    if (req.url?.includes('selfsubjectaccessreviews')) {
      // Every verb allowed: the check passes, and what /version said would be kept.
      res.writeHead(201, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ status: { allowed: true } }));
    }
    const versions = {
      object: { evil: ['x'] },
      long: `v1.${'9'.repeat(3 << 20)}`,
      wordy: `v1.37.2-${'x'.repeat(200)}`,
    } as Record<string, unknown>;
    const gitVersion = versions[behaviour];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gitVersion }));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  serverUrl = `https://127.0.0.1:${port}`;
  engine = await spawnEngine(
    {
      KEYHAVEN_DATA_DIR: join(dir, 'data'),
      KEYHAVEN_DEMO_PASSWORD: PASSWORD,
      KEYHAVEN_DEMO_SECRETS: '10',
      KEYHAVEN_LOG_LEVEL: 'warn',
    },
    await freePort(),
  );
  ({ bff, bffUrl } = await spawnBff(engine.url, join(dir, 'data')));
  admin = await tokenFor(engine.url, 'admin', PASSWORD);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  server?.close();
  bff?.kill('SIGTERM');
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** A console session of the administrator: its cookie and CSRF token. */
async function adminSession() {
  const login = await fetch(`${bffUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  });
  const session = (await login.json()) as { csrfToken: string };
  return {
    cookie: (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    csrf: session.csrfToken,
  };
}

/** The console's clusters list, as a user of the account sees it. */
async function consoleList(): Promise<{ status: number; size: number; names: string[] }> {
  const cookie = await bffSessionCookie(bffUrl, 'viewer', PASSWORD);
  const res = await fetch(`${bffUrl}/api/clusters`, { headers: { cookie } });
  const text = await res.text();
  const rows = res.ok ? (JSON.parse(text) as { name: string }[]) : [];
  return { status: res.status, size: text.length, names: rows.map((r) => r.name) };
}

describe('a hostile cluster endpoint', () => {
  it('cannot take the engine down with a 600 MB answer: it reads 1 MiB and refuses', async () => {
    behaviour = 'huge';
    const refused = await connect();
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('CLUSTER_CHECK_FAILED');
    expect(refused.body.message).toMatch(/answered more than 1 MiB; Keyhaven reads no more/);
    expect(engine.child.exitCode).toBeNull();
    expect((await fetch(`${engine.url}/healthz`)).status).toBe(200);
  });

  it('cannot store a version that is not one, so the account’s cluster list stays whole', async () => {
    const cases = [
      ['object', /without a Kubernetes version/],
      ['wordy', /without a Kubernetes version/],
      ['long', /answered more than 1 MiB/],
    ] as const;
    for (const [kind, why] of cases) {
      behaviour = kind;
      const refused = await connect();
      expect(refused.status, kind).toBe(400);
      expect(refused.body.message).toMatch(why);
      expect(JSON.stringify(refused.body).length).toBeLessThan(1000);
    }
    const list = await consoleList();
    expect(list.status).toBe(200);
    expect(list.size).toBeLessThan(20_000);
    expect(list.names.some((n) => n.startsWith('hostile'))).toBe(false);
  });

  it('that never answers is CLUSTER_UNREACHABLE after its own deadline, never an engine outage', async () => {
    behaviour = 'silent';
    const { cookie, csrf } = await adminSession();
    const started = Date.now();
    const res = await fetch(`${bffUrl}/api/clusters`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'hostile-silent',
        server: serverUrl,
        caCertificate: certificate,
        token: 'any-token',
      }),
    });
    const body = (await res.json()) as { code: string; message: string };
    expect(res.status).toBe(400);
    expect(body.code).toBe('CLUSTER_UNREACHABLE');
    expect(body.message).toMatch(/did not answer within 7 s/);
    expect(Date.now() - started).toBeLessThan(9_500);
    // Every other session's calls go on: the BFF did not call the engine down.
    const list = await consoleList();
    expect(list.status).toBe(200);
  });

  it('is not connected when the console cancels while the check is under way', async () => {
    behaviour = 'slow';
    const { cookie, csrf } = await adminSession();
    const cancel = new AbortController();
    const started = fetch(`${bffUrl}/api/clusters`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'hostile-cancelled',
        server: serverUrl,
        caCertificate: certificate,
        token: 'any-token',
      }),
      signal: cancel.signal,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    cancel.abort();
    await expect(started).rejects.toThrow();
    // Past the moment the slow cluster answers: the engine stopped the check and wrote nothing.
    await new Promise((r) => setTimeout(r, 4_000));
    const list = await fetch(`${engine.url}/v2/clusters`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const names = ((await list.json()) as { name: string }[]).map((c) => c.name);
    expect(names).not.toContain('hostile-cancelled');
    // The same cluster, not cancelled, connects: the test's slow cluster is a good one.
    const connected = await connect();
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
  });

  it('that refuses connections is reported without the socket error’s code (no port oracle)', async () => {
    const closed = `https://127.0.0.1:${await freePort()}`;
    const res = await fetch(`${engine.url}/v2/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'closed',
        server: closed,
        caCertificate: certificate,
        token: 'any-token',
      }),
    });
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('CLUSTER_UNREACHABLE');
    expect(body.message).toBe(`the API server at ${closed} cannot be reached`);
  });

  it('at a link-local or metadata address is refused before any connection', async () => {
    const res = await fetch(`${engine.url}/v2/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'metadata',
        server: 'https://169.254.169.254',
        caCertificate: certificate,
        token: 'any-token',
      }),
    });
    const body = (await res.json()) as { code: string; message: string };
    expect(res.status).toBe(400);
    expect(body.code).toBe('CLUSTER_ADDRESS_DENIED');
    expect(body.message).toMatch(/may not reach/);
  });
});
