import { expect } from 'vitest';
import request from 'supertest';
import { pino } from 'pino';
import { SessionInfo } from '@keyhaven/contracts';
import { createHttpServer } from '@keyhaven/server';
import { PASSWORD } from '../../../packages/engine/test/helpers.ts';
import { createApp } from '../src/app.ts';
import { EngineClient } from '../src/engine-client.ts';
import { createMetrics } from '../src/metrics.ts';
import { Sessions } from '../src/session.ts';

export const SESSION_SECRET = 'a-test-session-secret-of-32-chars-or-more';

/**
 * The BFF's HTTP server, built as main.ts builds it (not listening yet), in front of the given
 * engine URLs (no SPA).
 */
export function makeBff(
  engineUrls: string[],
  options: {
    now?: () => number;
    loginLimit?: { windowMs: number; perAddress: number; perUser: number };
    /** Where the BFF's logs go (at info); none: silent. */
    logStream?: NodeJS.WritableStream;
  } = {},
) {
  const logger = options.logStream
    ? pino({ level: 'info' }, options.logStream)
    : pino({ level: 'silent' });
  const metrics = createMetrics();
  const engine = new EngineClient({
    urls: engineUrls,
    logger,
    timeoutMs: 2000,
    readRetries: 1,
    onUpstreamError: (kind) => metrics.upstreamErrors.inc({ kind }),
  });
  const sessions = new Sessions({
    secret: SESSION_SECRET,
    ...(options.now && { now: options.now }),
  });
  return createHttpServer(
    createApp({
      engine,
      sessions,
      logger,
      metrics,
      ...(options.loginLimit && { loginLimit: options.loginLimit }),
    }),
  );
}

/** Logs in through the BFF; the agent keeps the cookie, csrf goes in x-csrf-token. */
export async function login(app: ReturnType<typeof makeBff>, username = 'admin') {
  const agent = request.agent(app);
  const res = await agent.post('/api/session').send({ username, password: PASSWORD });
  expect(res.status).toBe(200);
  const session = SessionInfo.parse(res.body);
  return { agent, session, csrf: session.csrfToken, cookie: String(res.headers['set-cookie']) };
}
