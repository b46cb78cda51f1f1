import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { join, resolve } from 'node:path';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { freePort } from '../../../scripts/etcd-cluster.ts';
import { SERVICES, serviceArgs } from '../../../scripts/build.mjs';
import { fetchTransport, type EngineHttpRequest } from '@keyhaven/contracts';

export { freePort };

/** The methods the engine's API answers. */
export type HttpMethod = EngineHttpRequest['method'];

const root = resolve(import.meta.dirname, '../../..');

export interface EngineProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the real engine service (apps/engine) as its own process and waits until it is ready, or
 * only alive (`healthz`) when the test expects a dependency to be unavailable.
 */
export async function spawnEngine(
  env: Record<string, string>,
  port: number,
  waitFor: 'readyz' | 'healthz' = 'readyz',
  /** The CA of an engine that serves HTTPS (KEYHAVEN_TLS_CERT_FILE in env). */
  ca?: Buffer,
): Promise<EngineProcess> {
  const child = spawn(process.execPath, serviceArgs('engine'), {
    cwd: root,
    env: { ...process.env, KEYHAVEN_ENGINE_PORT: String(port), KEYHAVEN_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
  const answers = async () =>
    ca
      ? (await tlsRequest(`${url}/${waitFor}`, { ca })).status === 200
      : (await fetch(`${url}/${waitFor}`)).ok;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`engine exited early:\n${out}`);
    try {
      if (await answers()) return { child, url, output: () => out, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`engine did not become ready:\n${out}`);
}

/** One HTTPS exchange with a CA of the test's own, and a client certificate when given. */
export function tlsRequest(
  url: string,
  options: {
    ca: Buffer;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    cert?: Buffer;
    key?: Buffer;
  },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ca: options.ca,
        ...(options.cert && { cert: options.cert, key: options.key }),
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function tokenFor(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Starts another TypeScript service (the BFF, a baseline server) and waits until readyUrl answers. */
export async function spawnService(
  entry: string,
  env: Record<string, string>,
  readyUrl: string,
): Promise<ChildProcess> {
  // A Keyhaven service runs from its bundle (as released); a test's own server through tsx.
  const service = Object.entries(SERVICES).find(([, s]) => s.source === entry)?.[0];
  const args = service ? serviceArgs(service as keyof typeof SERVICES) : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += String(d)));
  child.stderr?.on('data', (d) => (out += String(d)));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${entry} exited early:\n${out}`);
    try {
      if ((await fetch(readyUrl)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not become ready:\n${out}`);
}

/**
 * Enables KMS on a demo cluster with the named Key Protect root key through the engine's API;
 * returns the key's id. Throws unless the engine accepts (202).
 */
export async function enableKmsOverHttp(
  url: string,
  token: string,
  cluster: string,
  keyName: string,
): Promise<string> {
  const auth = { authorization: `Bearer ${token}` };
  const keys = (await (
    await fetch(`${url}/api/v2/keys`, { headers: { ...auth, 'bluemix-instance': 'kp-us-south' } })
  ).json()) as { resources: { id: string; name: string }[] };
  const crk = keys.resources.find((k) => k.name === keyName)?.id;
  if (!crk) throw new Error(`no root key ${keyName}`);
  const accepted = await fetch(`${url}/v2/enableKMS`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ cluster, instance_id: 'kp-us-south', crk_id: crk }),
  });
  if (accepted.status !== 202) throw new Error(`enableKMS answered ${accepted.status}`);
  return crk;
}

/** The engine alone, seeded with a small demo (100 secrets in the big cluster), data under dir. */
export async function spawnDemoEngine(
  dir: string,
  password: string,
  extra: Record<string, string> = {},
  /** A port of its own: again after a restart on the same data, so its clients find it. */
  port?: number,
) {
  return spawnEngine(
    {
      KEYHAVEN_DATA_DIR: join(dir, 'engine'),
      KEYHAVEN_DEMO_PASSWORD: password,
      KEYHAVEN_DEMO_SECRETS: '100',
      KEYHAVEN_LOG_LEVEL: 'warn',
      ...extra,
    },
    port ?? (await freePort()),
  );
}

/** A new API key of the user, made through the engine's IAM API. */
export async function apiKeyFor(url: string, username: string, password: string) {
  const token = await tokenFor(url, username, password);
  const response = await fetch(`${url}/identity/apikeys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `${username}-key` }),
  });
  return ((await response.json()) as { apikey: string }).apikey;
}

/**
 * The engine (seeded with a small demo) and a BFF in front of it, each its own process, for the
 * benchmarks; extra settings go to the BFF.
 */
export async function spawnConsole(
  dir: string,
  password: string,
  bffEnv: Record<string, string> = {},
  engineEnv: Record<string, string> = {},
) {
  const engine = await spawnDemoEngine(dir, password, engineEnv);
  // One data directory for both, as npm start runs them: the BFF reads the login-proxy key there.
  const { bff, bffUrl } = await spawnBff(engine.url, join(dir, 'engine'), bffEnv);
  return { engine, bff, bffUrl };
}

/**
 * A BFF in front of the engine; every BFF started here shares one session secret, so that a
 * cookie from one is accepted by the others (like replicas).
 */
export async function spawnBff(
  engineUrl: string,
  dataDir: string,
  env: Record<string, string> = {},
) {
  const port = await freePort();
  const bffUrl = `http://127.0.0.1:${port}`;
  const bff = await spawnService(
    'apps/bff/src/main.ts',
    {
      KEYHAVEN_PORT: String(port),
      KEYHAVEN_ENGINE_URL: engineUrl,
      KEYHAVEN_DATA_DIR: dataDir,
      KEYHAVEN_SESSION_SECRET: 'a-bench-session-secret-of-32-characters',
      KEYHAVEN_LOG_LEVEL: 'warn',
      ...env,
    },
    `${bffUrl}/healthz`,
  );
  return { bff, bffUrl };
}

/** Logs in through a BFF over HTTP; returns the session cookie (`name=value`) for later requests. */
export async function bffSessionCookie(bffUrl: string, username: string, password: string) {
  const login = await fetch(`${bffUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** Feeds every event of a Server-Sent Events response to onEvent, until the stream ends. */
export function followEventStream(
  response: Response,
  onEvent: (message: EventSourceMessage) => void,
): void {
  const parser = createParser({ onEvent });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const chunk = await reader?.read().catch(() => undefined);
      if (!chunk || chunk.done) return;
      parser.feed(decoder.decode(chunk.value, { stream: true }));
    }
  })();
}

/**
 * Calls of the engine's API as one user, with JSON in and out: what the tests and benchmarks that
 * drive a whole flow over HTTP share. The Bluemix-Instance header names the KMS instance.
 */
export function engineCaller(url: string, token: () => string, instance: string) {
  const send = fetchTransport(url);
  return async <T>(method: HttpMethod, path: string, body?: unknown) => {
    const response = await send({
      method,
      path,
      headers: {
        authorization: `Bearer ${token()}`,
        'content-type': 'application/json',
        'bluemix-instance': instance,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };
}
