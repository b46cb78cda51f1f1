import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

export interface RequestLoggerOptions {
  /** Keep a well-formed `x-request-id` from the caller (a service behind our own BFF). */
  acceptRequestId?: boolean;
  /** Paths not logged (probes and scrapes). */
  quiet?: readonly string[];
}

const REQUEST_ID = /^[\w-]{1,64}$/;

/**
 * Request logging with a request id (echoed in `x-request-id`). A request line says what it is:
 * no headers at all, so no cookie, CSRF token or bearer token can reach the log. pino-http
 * serializes the request for every request's child logger, whatever the level, so these stay
 * small and skip the standard serializers.
 */
export function requestLogger(logger: Logger, options: RequestLoggerOptions = {}) {
  const quiet = new Set(options.quiet ?? ['/healthz', '/readyz']);
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id =
        options.acceptRequestId && typeof given === 'string' && REQUEST_ID.test(given)
          ? given
          : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    wrapSerializers: false,
    serializers: {
      req: (req: Request) => ({ id: req.id, method: req.method, url: req.originalUrl }),
      res: (res: Response) => ({ statusCode: res.statusCode }),
    },
    autoLogging: { ignore: (req) => quiet.has(req.url ?? '') },
  });
}
