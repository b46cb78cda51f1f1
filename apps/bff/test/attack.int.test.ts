import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnBff, spawnEngine, type EngineProcess } from '../../engine/test/process.ts';

/**
 * The findings of the security probe, replayed against the real engine and BFF processes on the
 * embedded default. Clients connect from chosen loopback addresses (127.0.0.2 is the real user,
 * 127.0.0.3 and up are attackers), as different machines would.
 */

const PASSWORD = 'attack-suite-password';
let dir: string;
let engine: EngineProcess;
let bffUrl: string;
let bff: Awaited<ReturnType<typeof spawnBff>>['bff'];

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  base: string,
  path: string,
  options: {
    method?: string;
    from?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Resolve on the headers (a stream that may not end). */
    headersOnly?: boolean;
  } = {},
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        localAddress: options.from ?? '127.0.0.1',
        headers: options.headers,
      },
      (res) => {
        let body = '';
        const answer = () => ({ status: res.statusCode ?? 0, headers: res.headers, body });
        if (options.headersOnly) {
          resolve(answer());
          res.destroy();
          return;
        }
        res.on('data', (d) => (body += String(d)));
        res.on('end', () => resolve(answer()));
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${path} did not answer in 10 s`)));
    req.end(options.body);
  });
}

const json = (value: unknown) => ({
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

async function bffLogin(username: string, from = '127.0.0.2') {
  const res = await call(bffUrl, '/api/session', {
    method: 'POST',
    from,
    ...json({ username, password: PASSWORD }),
  });
  expect(res.status, res.body).toBe(200);
  const cookie = String(res.headers['set-cookie']).split(';')[0] ?? '';
  const csrf = (JSON.parse(res.body) as { csrfToken: string }).csrfToken;
  return { cookie, csrf };
}

/** A token from the engine, asked from the real user's usual address. */
async function engineToken(username: string): Promise<string> {
  const res = await call(engine.url, '/identity/token', {
    method: 'POST',
    from: '127.0.0.2',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password: PASSWORD }).toString(),
  });
  expect(res.status, res.body).toBe(200);
  return (JSON.parse(res.body) as { access_token: string }).access_token;
}

const PADDED = (name: string) => [
  name,
  ` ${name}`,
  `${name} `,
  `${name}\t`,
  `\u3000${name}`,
  name.toUpperCase(),
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhaven-attack-'));
  const env = {
    KEYHAVEN_DATA_DIR: join(dir, 'data'),
    KEYHAVEN_DEMO_PASSWORD: PASSWORD,
    KEYHAVEN_DEMO_SECRETS: '50',
    KEYHAVEN_LOG_LEVEL: 'warn',
  };
  engine = await spawnEngine(env, await freePort());
  // The BFF shares the data directory (as npm start runs them), so it holds the login-proxy key.
  ({ bff, bffUrl } = await spawnBff(engine.url, join(dir, 'data')));
});

afterAll(async () => {
  bff?.kill('SIGTERM');
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('attack suite (each finding of the probe)', () => {
  it('1: keeps the data directory 0700 and its files 0600; another local user reads nothing', () => {
    const data = join(dir, 'data');
    expect(statSync(data).mode & 0o777).toBe(0o700);
    const files = readdirSync(data, { withFileTypes: true }).filter((e) => e.isFile());
    expect(files.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'keyhaven.sqlite',
        'kek.bin',
        'token-signing-key',
        'login-proxy-key',
      ]),
    );
    for (const file of files)
      expect([file.name, statSync(join(data, file.name)).mode & 0o777]).toEqual([file.name, 0o600]);
    if (process.getuid?.() === 0) {
      const asNobody = spawnSync('setpriv', [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'cat',
        join(data, 'keyhaven.sqlite'),
      ]);
      expect(asNobody.status).not.toBe(0);
    }
  });

  it('1: keeps no token-signing key in the store (the SQLite file and its log)', () => {
    const data = join(dir, 'data');
    const stored = readdirSync(data)
      .filter((name) => name.startsWith('keyhaven.sqlite'))
      .map((name) => readFileSync(join(data, name)).toString('latin1'))
      .join('');
    expect(stored).toContain('/keyhaven/clusters/'); // the store is readable here, as root
    expect(stored).not.toContain('token-signing-key');
  });

  it('2, 4: a brute force through the BFF with padded names and forged X-Forwarded-For gets at most 10 guesses checked, and the real user still logs in', async () => {
    await bffLogin('admin'); // the real user, from their usual address
    let checked = 0;
    for (let i = 0; i < 200; i++) {
      const from = `127.0.0.${3 + (i % 20)}`;
      const res = await call(bffUrl, '/api/session', {
        method: 'POST',
        from,
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `10.9.${i % 250}.${i % 200}`,
        },
        body: JSON.stringify({ username: PADDED('admin')[i % 6], password: `guess-${i}` }),
      });
      expect([401, 429]).toContain(res.status);
      if (res.status === 401) checked += 1;
    }
    expect(checked).toBeLessThanOrEqual(10);
    await bffLogin('admin');
  });

  it('2, 4: the engine’s token endpoint limits guesses too, and the real user still gets a token', async () => {
    const token = (username: string, password: string, from: string, forwarded?: string) =>
      call(engine.url, '/identity/token', {
        method: 'POST',
        from,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(forwarded && {
            'x-forwarded-for': forwarded,
            'x-keyhaven-client-address': forwarded,
          }),
        },
        body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
      });
    expect((await token('viewer', PASSWORD, '127.0.0.2')).status).toBe(200);
    let checked = 0;
    for (let i = 0; i < 200; i++) {
      const res = await token(
        PADDED('viewer')[i % 6] ?? 'viewer',
        `guess-${i}`,
        `127.0.0.${3 + (i % 20)}`,
        `10.8.0.${i % 250}`,
      );
      expect([401, 429]).toContain(res.status);
      if (res.status === 401) checked += 1;
    }
    expect(checked).toBeLessThanOrEqual(10);
    expect((await token('viewer', PASSWORD, '127.0.0.2')).status).toBe(200);
  });

  it('5: answers 400, not 500, for a path that does not percent-decode, in both services', async () => {
    for (const [base, path] of [
      [bffUrl, '/api/clusters/%ZZ'],
      [bffUrl, '/%ZZ'],
      [engine.url, '/v2/clusters/%ZZ'],
      [engine.url, '/%ZZ'],
    ] as const) {
      const res = await call(base, path);
      expect([path, res.status]).toEqual([path, 400]);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'INVALID_PATH' });
    }
  });

  it('7: a username that is not a string is a 400, not a 500', async () => {
    const res = await call(bffUrl, '/api/session', {
      method: 'POST',
      from: '127.0.0.40',
      ...json({ username: { toString: 1 }, password: 'x' }),
    });
    expect(res.status).toBe(400);
  });

  it('7: unwrap and rewrap of a ciphertext that decodes to JSON null are a 400', async () => {
    const bearer = await engineToken('admin');
    const keys = await call(engine.url, '/api/v2/keys', {
      headers: { authorization: `Bearer ${bearer}`, 'bluemix-instance': 'kp-us-south' },
    });
    // A usable key: a disabled one refuses (409) before it reads the ciphertext.
    const keyId = (
      JSON.parse(keys.body) as { resources: { id: string; name: string }[] }
    ).resources.find((k) => k.name === 'cluster-root-key-1')?.id;
    for (const action of ['unwrap', 'rewrap']) {
      const res = await call(engine.url, `/api/v2/keys/${keyId}/actions/${action}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${bearer}`,
          'bluemix-instance': 'kp-us-south',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ ciphertext: 'bnVsbA==' }),
      });
      expect([action, res.status]).toEqual([action, 400]);
    }
  });

  it('7: the session (with its CSRF token) and stored bytes are never cached', async () => {
    const { cookie } = await bffLogin('admin');
    const session = await call(bffUrl, '/api/session', { headers: { cookie } });
    expect(session.headers['cache-control']).toBe('no-store');
    const raw = await call(
      bffUrl,
      '/api/clusters/c-dev-us-east/secrets/default/app-secret-00000/raw',
      {
        headers: { cookie },
      },
    );
    expect(raw.status).toBe(200);
    expect(raw.headers['cache-control']).toBe('no-store');
  });

  it('7: a secret data key __proto__ is refused, not silently dropped', async () => {
    const { cookie, csrf } = await bffLogin('admin');
    const res = await call(bffUrl, '/api/clusters/c-dev-us-east/secrets', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{"namespace":"default","name":"proto-key","data":{"__proto__":"YQ==","a":"YQ=="}}',
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('__proto__');
  });

  it('7: a 1.9 MB secret of 120,000 keys is refused for its key count before its values are read', async () => {
    const { cookie, csrf } = await bffLogin('admin');
    const data: Record<string, string> = {};
    for (let i = 0; i < 120_000; i++) data[`k${i}`] = 'YQ==';
    const res = await call(bffUrl, '/api/clusters/c-dev-us-east/secrets', {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'default', name: 'huge', data }),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).message).toBe(
      'body.data: a secret holds at most 1,000 data keys, not 120,000',
    );
  });

  it('7: failed requests keep their /api route label in the metrics', async () => {
    const { cookie } = await bffLogin('admin');
    expect(
      (await call(bffUrl, '/api/clusters/no-such-cluster', { headers: { cookie } })).status,
    ).toBe(404);
    const metrics = await call(bffUrl, '/metrics');
    expect(metrics.body).toMatch(/route="\/api\/clusters\/:id",status="404"/);
  });

  it('7: HEAD on the status stream answers and ends; the stream ends at logout', async () => {
    const { cookie, csrf } = await bffLogin('admin');
    const head = await call(bffUrl, '/api/clusters/c-dev-us-east/events', {
      method: 'HEAD',
      headers: { cookie },
    });
    expect(head.status).toBe(200);
    const bearer = await engineToken('admin');
    const engineHead = await call(engine.url, '/v2/clusters/c-dev-us-east/watch', {
      method: 'HEAD',
      headers: { authorization: `Bearer ${bearer}` },
    });
    expect(engineHead.status).toBe(200);

    const stream = call(bffUrl, '/api/clusters/c-dev-us-east/events', { headers: { cookie } });
    await new Promise((r) => setTimeout(r, 500));
    const out = await call(bffUrl, '/api/session', {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.status).toBe(204);
    const ended = await stream;
    expect(ended.body).toContain('event: status');
  });

  it('7: cuts off a client that sends its request headers slowly, instead of holding the connection', async () => {
    const { port } = new URL(bffUrl);
    const started = Date.now();
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) }, () => {
        socket.write('POST /api/session HTTP/1.1\r\nHost: x\r\n');
      });
      // One more header line now and then, never the end of the headers.
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 1000);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(true);
      });
      socket.on('error', () => undefined);
      setTimeout(() => {
        clearInterval(drip);
        socket.destroy();
        resolve(false);
      }, 20_000);
    });
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('8: npm runs only the install scripts the project approved', () => {
    const ls = spawnSync('npm', ['install-scripts', 'ls'], { encoding: 'utf8' });
    expect(ls.stdout + ls.stderr).toContain('No packages with unreviewed install scripts.');
  });

  it('7: sends HSTS over HTTPS only behind a proxy it was told to trust', async () => {
    const https = { 'x-forwarded-proto': 'https' };
    expect(
      (await call(bffUrl, '/healthz', { headers: https })).headers['strict-transport-security'],
    ).toBeUndefined();
    const proxied = await spawnBff(engine.url, join(dir, 'proxied'), {
      KEYHAVEN_TRUST_PROXY: 'loopback',
    });
    try {
      const res = await call(proxied.bffUrl, '/healthz', { headers: https });
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      proxied.bff.kill('SIGTERM');
    }
  });
});
