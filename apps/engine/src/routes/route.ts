import type { Request } from 'express';
import { Id } from '@keyhaven/contracts';
import type { Engine, Principal } from '@keyhaven/engine';
import { parse, type LoginGuard, type RouteFn } from '@keyhaven/server';

/** An engine route: the caller's principal (from the bearer token) beside the checked input. */
export type EngineRoute = RouteFn<{ principal: Principal }>;

/** Everything a route group needs. */
export interface RouteDeps {
  route: EngineRoute;
  engine: Engine;
}

/** What guards password and API-key checks (issue: brute force, lockout, CPU). */
export interface LoginDeps {
  guard: LoginGuard;
  /** The BFF's login-proxy key: with it, the BFF may name the user's address. */
  proxyKey: string | undefined;
}

/** The KMS instance a Key Protect call is for, from its `Bluemix-Instance` header. */
export const instanceHeader = (req: Request) =>
  parse(Id, req.headers['bluemix-instance'], 'header');

/** Key Protect's collection envelope around a list of resources of one media type. */
export const collection = <T extends string, R>(collectionType: T, resources: R[]) => ({
  metadata: { collectionType, collectionTotal: resources.length },
  resources,
});
