import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { describeIssues } from '@keyhaven/contracts';
import { EngineError, StoreUnavailableError } from '@keyhaven/engine';

/** Validates one part of a request against its contract; a mismatch names the field. */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'params' | 'header',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, issues } = describeIssues(result.error, where);
  throw new EngineError(400, 'INVALID_REQUEST', message, { issues });
}

interface HttpishError {
  status?: number;
  type?: string;
  expose?: boolean;
}

/** One JSON error handler: engine refusals pass through, parser errors become 4xx, the rest 500. */
export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const keyProtect = req.path.startsWith('/api/v2/keys');
  let status = 500;
  let code = 'INTERNAL';
  let message = 'The engine failed to handle the request.';
  let details: unknown;
  if (err instanceof EngineError) {
    ({ status, code, message, details } = err);
    if (err.retryAfter) res.setHeader('Retry-After', String(err.retryAfter));
  } else if (err instanceof StoreUnavailableError) {
    // etcd lost its quorum or cannot be reached: nothing was written; the caller may try again.
    status = 503;
    code = 'STORE_UNAVAILABLE';
    message =
      'The store is unavailable (no quorum or no connection); nothing was changed. Try again shortly.';
    res.setHeader('Retry-After', '2');
    req.log?.warn({ msg: (err.cause as Error | undefined)?.message }, 'store unavailable');
  } else if (
    typeof err === 'object' &&
    err !== null &&
    (err as HttpishError).expose &&
    (err as HttpishError).status
  ) {
    const e = err as HttpishError;
    status = e.status ?? 400;
    code =
      e.type === 'entity.too.large'
        ? 'PAYLOAD_TOO_LARGE'
        : e.type === 'entity.parse.failed'
          ? 'MALFORMED_BODY'
          : 'BAD_REQUEST';
    message =
      e.type === 'entity.too.large'
        ? 'The request body is too large.'
        : e.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON.'
          : 'The request is not valid.';
  } else {
    req.log?.error({ err }, 'unhandled error');
  }
  const body: Record<string, unknown> = {
    code,
    message,
    ...(details !== undefined && { details }),
  };
  if (keyProtect) {
    // Key Protect's error envelope, alongside the stable code and message.
    body.metadata = { collectionType: 'application/vnd.ibm.kms.error+json', collectionTotal: 1 };
    body.resources = [{ errorMsg: message, reasons: [{ code, message, status }] }];
  }
  res.status(status).json(body);
}

export const notFoundHandler = (req: Request) => {
  throw new EngineError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${req.path}`);
};
