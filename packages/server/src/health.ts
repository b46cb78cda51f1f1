import type { Express } from 'express';

export interface Readiness {
  ready: boolean;
  /** What each dependency said, for the answer's body. */
  [part: string]: unknown;
}

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: what it depends on answers,
 * else 503 with what is missing), as Kubernetes probes read them (R14).
 */
export function healthRoutes(app: Express, readiness: () => Promise<Readiness>): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { ready, ...parts } = await readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', ...parts });
  });
}
