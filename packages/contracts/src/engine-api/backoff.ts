/**
 * How long to wait before the next try of a call to the engine or a reopened stream: the first
 * retry waits about `baseMs`, each next one twice as long up to `capMs`, with "equal jitter"
 * (half of it fixed, half random) so that many callers cut off together do not return together.
 */
export interface Backoff {
  baseMs: number;
  capMs: number;
}

/** Calls to the engine (the BFF's failover, the plug-in's retries). */
export const CALL_BACKOFF: Backoff = { baseMs: 100, capMs: 2_000 };
/** Status streams reopened after they broke (the BFF's upstream, the plug-in's cluster watch). */
export const STREAM_BACKOFF: Backoff = { baseMs: 500, capMs: 5_000 };

/** The wait before retry `attempt` (0 for the first retry), in milliseconds. */
export function backoffMs(attempt: number, policy: Backoff, random = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return ceiling / 2 + random() * (ceiling / 2);
}
