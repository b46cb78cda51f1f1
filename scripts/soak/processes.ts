// The soak's processes: each one a target the fault injector may SIGKILL and start again, its whole
// output appended to a log file the secret-marker check reads at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One process (or group) the fault injector can strike: SIGKILL, then start again to ready. */
export interface Target {
  name: string;
  kind: FaultKind;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export type FaultKind =
  'engine' | 'store etcd member' | 'cluster etcd' | 'BFF' | 'KMS plug-in' | 'API server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls ready() every 100 ms for up to `seconds`; throws with the process's last words. */
export async function until(
  what: string,
  ready: () => Promise<boolean>,
  seconds: number,
  child?: ChildProcess,
  tail?: () => string,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`${what} exited (${child.exitCode}):\n${tail?.().slice(-3000) ?? ''}`);
    if (await ready().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} was not ready within ${seconds} s:\n${tail?.().slice(-3000) ?? ''}`);
}

export const answers = (url: string) => async () =>
  (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;

/**
 * A Node service (a bundle of dist/) as a target: started with its arguments and environment,
 * ready when ready() holds, its output appended to logFile across restarts.
 */
export function nodeService(options: {
  name: string;
  kind: FaultKind;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  logFile: string;
  ready: () => Promise<boolean>;
}): Target & { child(): ChildProcess | undefined } {
  const log = createWriteStream(options.logFile, { flags: 'a', mode: 0o600 });
  let child: ChildProcess | undefined;
  let tail = '';
  let exited: Promise<void> = Promise.resolve();
  return {
    name: options.name,
    kind: options.kind,
    child: () => child,
    async start() {
      tail = '';
      const started = spawn(process.execPath, options.args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const keep = (d: Buffer) => {
        tail = (tail + String(d)).slice(-20_000);
        log.write(d);
      };
      started.stdout?.on('data', keep);
      started.stderr?.on('data', keep);
      exited = new Promise((r) => started.once('exit', () => r()));
      child = started;
      await until(options.name, options.ready, 120, started, () => tail);
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited;
      child = undefined;
    },
  };
}

/**
 * A TCP front for the engine replicas, as a Kubernetes Service is: each connection goes to the
 * next replica that accepts it. The plug-ins reach the engine through it.
 */
export async function failoverProxy(ports: number[], listenPort: number): Promise<Server> {
  let next = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.pause();
    const tryReplica = (attempt: number): void => {
      if (attempt >= ports.length) {
        client.destroy();
        return;
      }
      const port = ports[(next + attempt) % ports.length] as number;
      const upstream = connect(port, '127.0.0.1');
      let connected = false;
      upstream.on('error', () => (connected ? client.destroy() : tryReplica(attempt + 1)));
      upstream.once('connect', () => {
        connected = true;
        next = (next + attempt + 1) % ports.length;
        client.on('error', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    tryReplica(0);
  });
  await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', () => r()));
  server.on('close', () => open.forEach((s) => s.destroy()));
  return server;
}
