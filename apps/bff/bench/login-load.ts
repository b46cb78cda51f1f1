import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** p50 and p95 of `count` sequential GETs with the session cookie, in ms. */
async function timedGets(url: string, cookie: string, count: number) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
}

/** One failed login for an unknown user, from the given loopback address. */
function failedLogin(base: URL, from: string, n: number): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: base.hostname,
        port: base.port,
        path: '/api/session',
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(JSON.stringify({ username: `nobody-${from}-${n}`, password: 'guess' }));
  });
}

/**
 * GET /api/clusters by a logged-in user, alone and while 64 clients (each its own loopback
 * address) send unauthenticated logins for unknown users, each again 100 ms after its answer.
 * Target (issue: CPU exhaustion by logins): p95 under 250 ms under that load.
 */
export async function loginLoad(bffUrl: string, cookie: string) {
  const clusters = `${bffUrl}/api/clusters`;
  await timedGets(clusters, cookie, 50); // warm-up
  const alone = await timedGets(clusters, cookie, 200);
  const base = new URL(bffUrl);
  let stop = false;
  const statuses = new Map<number, number>();
  const attackers = Array.from({ length: 64 }, async (_, i) => {
    const from = `127.0.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`;
    // Each client tries again 100 ms after its last answer: 64 in parallel, up to 640 a second.
    for (let n = 0; !stop && n < 1000; n++) {
      const status = await failedLogin(base, from, n);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  await new Promise((r) => setTimeout(r, 1000));
  const loaded = await timedGets(clusters, cookie, 200);
  stop = true;
  await Promise.all(attackers);
  const answered = [...statuses].map(([s, n]) => `${n.toLocaleString('en')} × ${s}`).join(', ');
  console.log('GET /api/clusters while 64 clients send unauthenticated logins for unknown users');
  console.log(`  alone:       p50 ${alone.p50.toFixed(0)} ms, p95 ${alone.p95.toFixed(0)} ms`);
  console.log(
    `  under logins: p50 ${loaded.p50.toFixed(0)} ms, p95 ${loaded.p95.toFixed(0)} ms (target: p95 < 250 ms); logins answered ${answered}`,
  );
}
