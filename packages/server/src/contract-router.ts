import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Operation } from '@keyhaven/contracts';
import { parse } from './http-error.ts';

/** One route as declared: its operation (documented in OpenAPI) with the schemas it checks. */
export type RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = Omit<
  Operation,
  'params' | 'query' | 'body'
> & {
  params?: P;
  query?: Q;
  body?: B;
  /** Middleware that runs before the route's own checks (a rate limit). */
  before?: RequestHandler[];
};

/** What a handler receives: the service's per-request context and the checked input. */
export type RouteCall<C, P, Q, B> = C & {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
};

type NoInput = z.ZodType<Record<string, never>>;

/** Declares a route on a contract router. */
export type RouteFn<C> = <
  P extends z.ZodType = NoInput,
  Q extends z.ZodType = NoInput,
  B extends z.ZodType = z.ZodType<undefined>,
>(
  spec: RouteSpec<P, Q, B>,
  handler: (call: RouteCall<C, z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>,
) => void;

export interface ContractRouterOptions<C> {
  /** Where the router is mounted, for the OpenAPI paths ('' or '/api'). */
  prefix?: string;
  /** The per-request context (who is calling), checked before the input; may refuse by throwing. */
  context: (req: Request, res: Response, spec: Operation) => Promise<C> | C;
}

/**
 * Routes declared with their contract: each checks its path, query and body against the shared
 * schemas (a 400 names the field), runs its handler, and answers with its declared status; every
 * route is recorded as an OpenAPI operation.
 */
export function contractRouter<C>(router: Router, options: ContractRouterOptions<C>) {
  const operations: Operation[] = [];
  const prefix = options.prefix ?? '';
  const route: RouteFn<C> = ({ before = [], ...spec }, handler) => {
    operations.push({ ...spec, path: prefix + spec.path });
    const serve: RequestHandler = async (req, res) => {
      const context = await options.context(req, res, spec);
      const params = spec.params ? parse(spec.params, req.params, 'params') : {};
      const query = spec.query ? parse(spec.query, req.query, 'query') : {};
      if (spec.headers) parse(spec.headers, req.headers, 'header');
      const body = spec.body ? parse(spec.body, req.body ?? {}, 'body') : undefined;
      const result = await handler({ ...context, req, res, params, query, body } as never);
      if (res.headersSent) return;
      if (result === undefined) {
        res.status(spec.status ?? 204).end();
        return;
      }
      // Written directly (Node sets its length): Express's send would look up the type, compute
      // freshness and a length again for every answer of an API that has no ETags.
      res.statusCode = spec.status ?? 200;
      res.setHeader('Content-Type', `${spec.contentType ?? 'application/json'}; charset=utf-8`);
      res.end(JSON.stringify(result));
    };
    router[spec.method](spec.path, ...before, serve);
  };
  return { route, operations };
}
