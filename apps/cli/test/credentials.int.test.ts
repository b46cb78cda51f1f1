import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyFor, freePort, spawnEngine, type EngineProcess } from '../../engine/test/process.ts';
import { keyhaven } from './cli.ts';

/**
 * Issue 25, finding 5: the saved session (its token and API key) belongs to the API URL it was
 * made with. Before the fix, KEYHAVEN_API_URL pointing at any listener received the bearer token,
 * and once the token had expired the API key itself, and that URL became the new default.
 */
const PASSWORD = 'cli-credentials-password';
let engine: EngineProcess;
let dir: string;
let env: Record<string, string>;
let apikey: string;
let listener: Server;
let listenerUrl: string;
const received: string[] = [];

const configText = () => readFileSync(join(dir, 'cli', 'config.json'), 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhaven-cli-credentials-'));
  engine = await spawnEngine(
    {
      KEYHAVEN_DATA_DIR: join(dir, 'engine'),
      KEYHAVEN_DEMO_PASSWORD: PASSWORD,
      KEYHAVEN_DEMO_SECRETS: '10',
      KEYHAVEN_LOG_LEVEL: 'warn',
    },
    await freePort(),
  );
  apikey = await apiKeyFor(engine.url, 'admin', PASSWORD);
  env = { KEYHAVEN_CONFIG_DIR: join(dir, 'cli'), KEYHAVEN_API_URL: engine.url };
  listener = createServer((req, res) => {
    received.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});

afterAll(async () => {
  listener?.close();
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('the CLI keeps its credentials for the API they came from', () => {
  it('reads the API key from standard input with --apikey -, without a warning', async () => {
    const login = await keyhaven(['login', '--apikey', '-'], env, `${apikey}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Logged in as admin/);
    expect(login.stderr).toBe('');
  });

  it('warns that an API key given as a flag shows in the process list', async () => {
    const login = await keyhaven(['login', '--apikey', apikey], env);
    expect(login.code).toBe(0);
    expect(login.stderr).toMatch(/shows in the process list/);
    expect(login.stdout + login.stderr).not.toContain(apikey);
  });

  it('sends the saved session to no other URL, and keeps its own URL as the default', async () => {
    const before = configText();
    for (const args of [
      ['ks', 'cluster', 'ls'],
      ['ks', 'cluster', 'ls', '--api-url', listenerUrl],
    ]) {
      const other = await keyhaven(args, { ...env, KEYHAVEN_API_URL: listenerUrl });
      expect(other.code).toBe(2);
      expect(other.stderr).toContain(`You are logged in to ${engine.url}, not ${listenerUrl}`);
    }
    expect(received).toEqual([]);
    expect(configText()).toBe(before);
    const home = await keyhaven(['ks', 'cluster', 'ls', '-q'], {
      KEYHAVEN_CONFIG_DIR: env.KEYHAVEN_CONFIG_DIR ?? '',
    });
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).toMatch(/prod-us-south/);
  });

  it('refuses plain http to another machine, and a URL holding a password', async () => {
    for (const [url, why] of [
      ['http://keyhaven.invalid:8081', /plain http to another machine/],
      ['https://admin:secret@127.0.0.1:1', /must not hold a user name or password/],
    ] as const) {
      const login = await keyhaven(['login', '--apikey', '-', '--api-url', url], env, apikey);
      expect(login.code).toBe(2);
      expect(login.stderr).toMatch(why);
    }
  });
});
