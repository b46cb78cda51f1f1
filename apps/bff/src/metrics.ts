import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

/** Prometheus metrics: request duration by route and status, SSE subscribers, upstream errors. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'keyhaven_bff_request_duration_seconds',
    help: 'BFF request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const sseSubscribers = new Gauge({
    name: 'keyhaven_bff_sse_subscribers',
    help: 'Open status streams',
    registers: [registry],
  });
  const upstreamErrors = new Counter({
    name: 'keyhaven_bff_upstream_errors_total',
    help: 'Failed calls to the engine by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      end({
        method: req.method,
        // A failed request leaves its router before it finishes: the router noted where it was.
        route: route ? String(res.locals.routeBase ?? req.baseUrl) + route : 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  };
  const handler: RequestHandler = async (_req, res) => {
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  };
  return { registry, sseSubscribers, upstreamErrors, middleware, handler };
}
