import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { HttpError, type Problem } from './http-error.ts';

export interface ErrorHandlerOptions {
  /** The service's own refusals that are not HttpErrors (its domain errors), as problems. */
  problemOf?: (err: unknown, req: Request) => Problem | undefined;
  /** What a 500 says: no stack, no detail. */
  internalMessage: string;
  /** Adds fields to an error body (Key Protect's error envelope). */
  decorate?: (req: Request, body: Record<string, unknown>, problem: Problem) => void;
}

interface BodyParserError {
  status?: number;
  type?: string;
  expose?: boolean;
}

/** body-parser's refusals (too large, not JSON) as problems; undefined for anything else. */
function bodyParserProblem(err: unknown): Problem | undefined {
  const e = err as BodyParserError | null;
  if (!e || typeof e !== 'object' || !e.expose || !e.status) return undefined;
  switch (e.type) {
    case 'entity.too.large':
      return {
        status: e.status,
        code: 'PAYLOAD_TOO_LARGE',
        message: 'The request body is too large.',
      };
    case 'entity.parse.failed':
      return {
        status: e.status,
        code: 'MALFORMED_BODY',
        message: 'The request body is not valid JSON.',
      };
    default:
      return { status: e.status, code: 'BAD_REQUEST', message: 'The request is not valid.' };
  }
}

/**
 * One JSON error handler: known refusals answer with their status and code, parser errors become
 * 4xx, anything else a 500 that says nothing more (its stack goes to the log only).
 */
export function errorHandler(options: ErrorHandlerOptions): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const problem: Problem = (err instanceof HttpError ? err : undefined) ??
      options.problemOf?.(err, req) ??
      bodyParserProblem(err) ?? { status: 500, code: 'INTERNAL', message: options.internalMessage };
    if (problem.status >= 500 && problem.code === 'INTERNAL')
      req.log?.error({ err }, 'unhandled error');
    if (problem.retryAfter !== undefined) res.setHeader('Retry-After', String(problem.retryAfter));
    const body: Record<string, unknown> = {
      code: problem.code,
      message: problem.message,
      ...(problem.details !== undefined && { details: problem.details }),
    };
    options.decorate?.(req, body, problem);
    res.status(problem.status).json(body);
  };
}

/** The last route: a JSON 404 naming what was asked for. */
export const notFoundHandler =
  (prefix = ''): RequestHandler =>
  (req) => {
    throw new HttpError(404, 'ROUTE_NOT_FOUND', `No route for ${req.method} ${prefix}${req.path}`);
  };
