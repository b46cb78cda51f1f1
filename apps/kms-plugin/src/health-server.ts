import http from 'node:http';
import type { KmsService } from './kms-service.ts';
import type { PluginMetrics } from './metrics.ts';

/** Readiness reuses a round trip this recent, so probes do not each cost a wrap and unwrap. */
const READINESS_FRESH_MS = 10_000;

/**
 * HEALTHZ_PATH on HEALTHZ_PORT, as seed 004's pod probes use it: `<path>/liveness` answers while
 * the process serves; `<path>/readiness` (and `<path>`) answers 200 only when a wrap and unwrap
 * round trip through the root key succeeded recently, else 503 with the reason. `/metrics` is
 * Prometheus's.
 */
export function startHealthServer(
  healthz: { path: string; host: string; port: number },
  service: KmsService,
  metrics: PluginMetrics,
): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://plugin').pathname.replace(/\/+$/, '');
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === `${healthz.path}/liveness`) return send(200, 'ok\n');
    if (path === `${healthz.path}/readiness` || path === healthz.path) {
      const last = service.lastHealth;
      const fresh = Date.now() - last.checkedAt < READINESS_FRESH_MS;
      void (fresh ? Promise.resolve(last) : service.status()).then((health) => {
        metrics.healthy.set(health.ok ? 1 : 0);
        send(health.ok ? 200 : 503, `${health.healthz}\n`);
      });
      return;
    }
    if (path === '/metrics') {
      void metrics.registry.metrics().then((text) => send(200, text, metrics.registry.contentType));
      return;
    }
    send(404, 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(healthz.port, healthz.host, () => resolve(server));
  });
}
