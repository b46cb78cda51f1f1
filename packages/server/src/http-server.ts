import { IncomingMessage, ServerResponse, createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readTls, type TlsFiles } from './tls.ts';
import type { Express } from 'express';

/**
 * Own properties of `from` and of its prototypes up to (not including) `stop`, copied onto `to`
 * (all but `constructor`, which stays `to`'s own).
 */
function copyChain(from: object, stop: object, to: object) {
  const chain: object[] = [];
  for (let o: object | null = from; o && o !== stop; o = Object.getPrototypeOf(o) as object | null)
    chain.unshift(o);
  for (const o of chain) {
    const { constructor: _, ...descriptors } = Object.getOwnPropertyDescriptors(o);
    Object.defineProperties(to, descriptors);
  }
}

/**
 * The HTTP (or, given TLS files, HTTPS) server for an Express app, creating each request and response with Express's own
 * prototypes already in place.
 *
 * Express otherwise swaps the prototype of Node's request and response on every request
 * (`Object.setPrototypeOf`). V8 does not share hidden classes between objects whose prototype was
 * swapped, so each property the middleware then adds (`res.locals`, `req.cookies`, `req.log`, ...)
 * built a new hidden class for that one request, and every property access on a request or
 * response anywhere in the stack went megamorphic. Here requests and responses are instances of
 * subclasses that carry Express's methods, and the app's prototypes are those subclasses', so
 * Express's swap changes nothing and all requests share their shapes.
 */
export function createHttpServer(app: Express, tls?: TlsFiles): Server {
  class Request extends IncomingMessage {}
  class Response extends ServerResponse {}
  copyChain(app.request, IncomingMessage.prototype, Request.prototype);
  copyChain(app.response, ServerResponse.prototype, Response.prototype);
  app.request = Request.prototype as unknown as Express['request'];
  app.response = Response.prototype as unknown as Express['response'];
  const options = {
    IncomingMessage: Request,
    ServerResponse: Response,
    // How often the timeouts below are enforced (Node's default checks every 30 s).
    connectionsCheckingInterval: LIMITS.checkEveryMs,
  };
  // With a client CA, a client certificate is asked for and checked, and the routes decide who
  // must present one (the KMS plug-ins): people's browsers and CLIs connect without.
  const server: Server = tls
    ? createHttpsServer(
        {
          ...options,
          ...readTls(tls),
          minVersion: 'TLSv1.2',
          ...(tls.clientCaFile && { requestCert: true, rejectUnauthorized: false }),
        },
        app,
      )
    : createServer(options, app);
  // A client that sends its headers or body slowly is cut off instead of holding a connection
  // for minutes; long-lived answers (status streams) are not bounded by these.
  server.headersTimeout = LIMITS.headersTimeoutMs;
  server.requestTimeout = LIMITS.requestTimeoutMs;
  server.maxConnections = LIMITS.maxConnections;
  return server;
}

/** Bounds on slow or many clients, per server. */
export const LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 4096,
  checkEveryMs: 2_000,
};
