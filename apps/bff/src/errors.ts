import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { describeIssues } from '@keyhaven/contracts';

/** An error the BFF answers with: status, stable code, message, details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The engine answered, but not in the shape its contract promises. */
export const badEngineResponse = () =>
  new ApiError(502, 'BAD_ENGINE_RESPONSE', 'The Keyhaven engine sent an unexpected answer.');

export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, issues } = describeIssues(result.error, where);
  throw new ApiError(400, 'INVALID_REQUEST', message, { issues });
}

interface HttpishError {
  status?: number;
  type?: string;
  expose?: boolean;
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ApiError) {
    if (err.retryAfter) res.setHeader('Retry-After', err.retryAfter);
    res.status(err.status).json({
      code: err.code,
      message: err.message,
      ...(err.details !== undefined && { details: err.details }),
    });
    return;
  }
  const e = err as HttpishError;
  if (e && typeof e === 'object' && e.expose && e.status) {
    const tooLarge = e.type === 'entity.too.large';
    res.status(e.status).json({
      code: tooLarge ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_BODY',
      message: tooLarge ? 'The request body is too large.' : 'The request body is not valid JSON.',
    });
    return;
  }
  req.log?.error({ err }, 'unhandled error');
  res
    .status(500)
    .json({ code: 'INTERNAL', message: 'The console server failed to handle the request.' });
}
