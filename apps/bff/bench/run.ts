/**
 * BFF benchmarks, printed as figures and ratios measured in one run on this machine:
 *   npm run bench -w apps/bff
 * 1. (run second, on another fresh BFF) GET /api/clusters/:id (the Overview, three engine calls
 *    behind it) under 100 connections for 10 s after a 3 s warm-up, next to a bare Express route in
 *    the same setup (each server its own fresh process, served through createHttpServer like the
 *    BFF, autocannon in a third), three runs of each alternating, medians compared: target >= 50%
 *    of the bare route's throughput and p99 < 100 ms.
 *    The bare route served by Express's own app.listen is printed too, for reference.
 * 3. (run last) GET /api/clusters alone and while 64 clients send unauthenticated logins for
 *    unknown users: p95 under that load < 250 ms.
 * 2. (run first, on a fresh BFF) 1,000 concurrent SSE clients of one cluster: delay from an engine status change to receipt by
 *    every client, p95 over 20 changes (target < 250 ms), and the BFF's resident memory (< 200 MB).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  bffSessionCookie,
  enableKmsOverHttp,
  followEventStream,
  freePort,
  spawnBff,
  spawnConsole,
  spawnService,
  tokenFor,
} from '../../engine/test/process.ts';

import { loginLoad } from './login-load.ts';

const root = resolve(import.meta.dirname, '../../..');
const PASSWORD = 'bff-bench-password';
const CLUSTER = 'c-dev-us-east';
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

interface CannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

/**
 * autocannon in its own process, so the load generator does not share the server's thread. Each
 * run starts with 3 s of the same load that autocannon leaves out of its figures: a server that
 * has run a while has compiled its hot paths, while a cold one spends its first second doing so
 * (that second alone moved the overview's p99 by 30-50 ms here).
 */
function cannon(url: string, headers: Record<string, string>): Promise<CannonResult> {
  const args = [join(root, 'node_modules/autocannon/autocannon.js'), '-c', '100', '-d', '10', '-j'];
  args.push('--warmup', '[', '-c', '100', '-d', '3', ']');
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  args.push(url);
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.on('exit', () => {
      try {
        // With a warm-up, autocannon prints the warm-up's figures first, then the run's.
        done(JSON.parse(out.trim().split('\n').at(-1) ?? '') as CannonResult);
      } catch (err) {
        fail(err as Error);
      }
    });
  });
}

/** CPU seconds (user + system) a process has used so far. */
const cpuSeconds = (child: ChildProcess) => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const rssMb = (child: ChildProcess) => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
};

const dir = mkdtempSync(join(tmpdir(), 'kh-bff-bench-'));
const children: ChildProcess[] = [];
try {
  const { engine, bff, bffUrl } = await spawnConsole(dir, PASSWORD);
  children.push(engine.child, bff);
  const barePort = await freePort();
  const bare = await spawnService(
    'apps/bff/bench/bare.ts',
    { PORT: String(barePort) },
    `http://127.0.0.1:${barePort}/bare`,
  );
  children.push(bare);
  const plainPort = await freePort();
  const plain = await spawnService(
    'apps/bff/bench/bare.ts',
    { PORT: String(plainPort), BARE_APP_LISTEN: '1' },
    `http://127.0.0.1:${plainPort}/bare`,
  );
  children.push(plain);

  const cookie = await bffSessionCookie(bffUrl, 'admin', PASSWORD);

  // Enable KMS first so that the Overview makes its full set of engine calls.
  const token = await tokenFor(engine.url, 'admin', PASSWORD);
  const auth = { authorization: `Bearer ${token}` };
  const crk = await enableKmsOverHttp(engine.url, token, CLUSTER, 'cluster-root-key-1');
  await new Promise((r) => setTimeout(r, 1000));

  // 1,000 SSE clients of one cluster.
  // Before the load test: V8 keeps the heap that a load test grew, which would hide what the
  // streams themselves cost.
  const idleRss = rssMb(bff);
  const CLIENTS = 1000;
  const abort = new AbortController();
  const arrivals: number[][] = Array.from({ length: CLIENTS }, () => []);
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i) => {
      const response = await fetch(`${bffUrl}/api/clusters/${CLUSTER}/events`, {
        headers: { cookie },
        signal: abort.signal,
      });
      followEventStream(response, () => arrivals[i]?.push(performance.now()));
    }),
  );
  const waitAll = async (count: number) => {
    for (let i = 0; i < 1000; i++) {
      if (arrivals.every((a) => a.length >= count)) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('not every client received the event');
  };
  await waitAll(1);
  const rss = rssMb(bff);
  const delays: number[] = [];
  for (let change = 0; change < 20; change++) {
    const before = arrivals.map((a) => a.length);
    const start = performance.now();
    // Disabling and enabling the root key flips the cluster's master status.
    await fetch(
      `${engine.url}/api/v2/keys/${crk}/actions/${change % 2 === 0 ? 'disable' : 'enable'}`,
      {
        method: 'POST',
        headers: { ...auth, 'bluemix-instance': 'kp-us-south' },
      },
    );
    for (let i = 0; i < 1000; i++) {
      if (arrivals.every((a, j) => a.length > (before[j] ?? 0))) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    arrivals.forEach((a, j) => {
      const at = a[before[j] ?? 0];
      if (at !== undefined) delays.push(at - start);
    });
    await new Promise((r) => setTimeout(r, 100));
  }
  abort.abort();
  delays.sort((a, b) => a - b);
  console.log(`${CLIENTS.toLocaleString('en')} SSE clients of one cluster, 20 status changes`);
  console.log(
    `  engine change to receipt by each client: p50 ${percentile(delays, 0.5).toFixed(0)} ms, p95 ${percentile(delays, 0.95).toFixed(0)} ms (target < 250 ms); ${delays.length.toLocaleString('en')} receipts of ${(20 * CLIENTS).toLocaleString('en')}`,
  );
  console.log(
    `  BFF resident memory with the clients connected: ${rss.toFixed(0)} MB (target < 200 MB); before they connected: ${idleRss.toFixed(0)} MB (the release bundle on Node ${process.version})`,
  );

  // The load test runs on a fresh BFF, like the bare route's fresh process: not on one whose heap
  // a thousand streams just grew (its cookie works there: BFFs share the session secret).
  bff.kill('SIGTERM');
  const fresh = await spawnBff(engine.url, join(dir, 'bff-load'));
  children.push(fresh.bff);
  const plainListen = await cannon(`http://127.0.0.1:${plainPort}/bare`, {});
  // Three runs of each, alternating, and the median run of each: on two shared cores one run
  // moves by up to a tenth with what else the machine does.
  const baselines: CannonResult[] = [];
  const overviews: CannonResult[] = [];
  const cpuBefore = [cpuSeconds(fresh.bff), cpuSeconds(engine.child)];
  for (let run = 0; run < 3; run++) {
    baselines.push(await cannon(`http://127.0.0.1:${barePort}/bare`, {}));
    overviews.push(await cannon(`${fresh.bffUrl}/api/clusters/${CLUSTER}`, { cookie }));
  }
  const [bffCpu, engineCpu] = [cpuSeconds(fresh.bff), cpuSeconds(engine.child)].map(
    (after, i) => (after - (cpuBefore[i] ?? 0)) / 3,
  );
  const median = (runs: CannonResult[]) =>
    [...runs].sort((a, b) => a.requests.average - b.requests.average)[1] as CannonResult;
  const baseline = median(baselines);
  const overview = median(overviews);
  const rate = (r: CannonResult) => Math.round(r.requests.average).toLocaleString('en');
  const ratio = (100 * overview.requests.average) / baseline.requests.average;
  console.log(
    'Overview endpoint under 100 connections for 10 s after a 3 s warm-up (autocannon in its own process); median of 3 alternating runs',
  );
  console.log(
    `  bare Express route, app.listen (for reference): ${rate(plainListen)} req/s, p99 ${plainListen.latency.p99} ms`,
  );
  console.log(
    `  bare Express route, served like the BFF:         ${rate(baseline)} req/s, p99 ${baseline.latency.p99} ms (runs: ${baselines.map(rate).join(', ')})`,
  );
  console.log(
    `  GET /api/clusters/${CLUSTER}: ${rate(overview)} req/s, p99 ${overview.latency.p99} ms = ${ratio.toFixed(0)}% of bare (target >= 50%, p99 < 100 ms); non-2xx ${overviews.reduce((n, r) => n + r.non2xx, 0)}, errors ${overviews.reduce((n, r) => n + r.errors, 0)} (runs: ${overviews.map(rate).join(', ')})`,
  );
  console.log(
    `  CPU per Overview run of 13 s: BFF ${bffCpu?.toFixed(1)} s, engine ${engineCpu?.toFixed(1)} s (2 cores, shared with autocannon)`,
  );
  await loginLoad(fresh.bffUrl, cookie);
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
