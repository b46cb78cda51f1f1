import type { RequestHandler, Response } from 'express';
import { HttpError } from './http-error.ts';

/**
 * Refuses a path that does not percent-decode (`/api/clusters/%ZZ`) with a 400, before any route
 * tries to decode it (Express would throw a URIError and answer 500).
 */
export const rejectUndecodablePath: RequestHandler = (req, _res, next) => {
  try {
    decodeURIComponent(req.path);
  } catch {
    throw new HttpError(400, 'INVALID_PATH', 'The request path is not valid percent-encoding.');
  }
  next();
};

/**
 * The security headers of a JSON API answer (OWASP's REST Security Cheat Sheet): no cache keeps
 * it, no browser sniffs, frames or renders it as a page, and no other origin reads it. Helmet's
 * full set is for documents (the console's pages); sent on every API answer it made the BFF's
 * Overview spend a sixth of its time writing headers no browser reads there.
 */
const API_HEADERS: [string, string][] = [
  ['Cache-Control', 'no-store'],
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];
export const apiHeaders: RequestHandler = (_req, res, next) => {
  for (const [name, value] of API_HEADERS) res.setHeader(name, value);
  next();
};

/** Strict-Transport-Security when the request came over HTTPS (directly or through the proxy). */
export const hstsWhenSecure: RequestHandler = (req, res, next) => {
  if (req.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  next();
};

/** Whether a parsed JSON value holds a `__proto__` key at any depth. */
function hasProtoKey(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 32) return false;
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return true;
  return Object.values(value).some((v) => hasProtoKey(v, depth + 1));
}

/**
 * A `__proto__` key cannot be kept as data by a JavaScript object (schemas drop it): it is
 * refused with a 400 rather than silently lost.
 */
export const rejectProtoKeys: RequestHandler = (req, _res, next) => {
  if (hasProtoKey(req.body))
    throw new HttpError(400, 'INVALID_REQUEST', 'body: the key __proto__ is not allowed.', {
      issues: [{ path: 'body', message: 'the key __proto__ is not allowed' }],
    });
  next();
};

/** A check of a request body that runs before its schema (sizes, counts); a problem is a 400. */
export const bodyPrecheck =
  (problemOf: (body: unknown) => string | undefined): RequestHandler =>
  (req, _res, next) => {
    const problem = problemOf(req.body);
    if (problem)
      throw new HttpError(400, 'INVALID_REQUEST', problem, {
        issues: [{ path: 'body.data', message: problem }],
      });
    next();
  };

/**
 * Aborted when the client goes away before its answer is finished (it cancelled, or its
 * connection broke): work done only for that answer can stop, and write nothing.
 */
export function clientGone(res: Response): AbortSignal {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort(new DOMException('The client went away.', 'AbortError'));
  });
  return gone.signal;
}
