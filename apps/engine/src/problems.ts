import type { Request } from 'express';
import { EngineError, StoreUnavailableError } from '@keyhaven/engine';
import type { Problem } from '@keyhaven/server';

/** The engine's refusals as HTTP problems; a lost store is a retryable 503. */
export function engineProblem(err: unknown, req: Request): Problem | undefined {
  if (err instanceof EngineError) return err;
  if (err instanceof StoreUnavailableError) {
    // etcd lost its quorum or cannot be reached: nothing was written; the caller may try again.
    req.log?.warn({ msg: (err.cause as Error | undefined)?.message }, 'store unavailable');
    return {
      status: 503,
      code: 'STORE_UNAVAILABLE',
      message:
        'The store is unavailable (no quorum or no connection); nothing was changed. Try again shortly.',
      retryAfter: 2,
    };
  }
  return undefined;
}

/** Key Protect's error envelope, alongside the stable code and message, on its own paths. */
export function keyProtectEnvelope(req: Request, body: Record<string, unknown>, p: Problem) {
  if (!req.path.startsWith('/api/v2/keys')) return;
  body.metadata = { collectionType: 'application/vnd.ibm.kms.error+json', collectionTotal: 1 };
  body.resources = [
    { errorMsg: p.message, reasons: [{ code: p.code, message: p.message, status: p.status }] },
  ];
}
