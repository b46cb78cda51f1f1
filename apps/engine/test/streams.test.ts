import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordToken, startEngineServer, type EngineServer } from './harness.ts';

/**
 * Issue 25: an engine status stream outlives no credential. Before, a stream opened with a token
 * kept delivering status after that token was revoked (logout) or had expired.
 */
let e: EngineServer;
beforeAll(async () => {
  e = await startEngineServer();
});
afterAll(() => e.close());

/** Opens the stream and resolves, with how long it lasted, when the engine ends it. */
async function openUntilEnded(token: string): Promise<{ ended: Promise<number> }> {
  const started = Date.now();
  const response = await fetch(`${e.url}/v2/clusters/watch`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const reader = response.body?.getReader();
  const ended = (async () => {
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return Date.now() - started;
    }
  })();
  return { ended };
}

describe('engine status streams', () => {
  it('end within seconds of their token being revoked', async () => {
    const token = await passwordToken(e.url, 'viewer');
    const stream = await openUntilEnded(token);
    const revoked = await fetch(`${e.url}/identity/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(204);
    expect(await stream.ended).toBeLessThan(8_000);
  });

  it('end when the token expires', async () => {
    const token = await passwordToken(e.url, 'viewer');
    const stream = await openUntilEnded(token);
    e.t.advance(3600_000 + 1000);
    expect(await stream.ended).toBeLessThan(8_000);
  });
});
