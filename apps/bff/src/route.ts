import type { RouteFn } from '@keyhaven/server';
import type { SessionData } from './session.ts';

/**
 * What a console API handler receives beside its checked input: the user's session (absent only
 * on the routes declared `auth: false`, which never read it) and the request id to pass on.
 */
export interface BffCall {
  session: SessionData;
  requestId: string;
}

/** Declares a console API route: session, CSRF on state changes, contract-checked input. */
export type Route = RouteFn<BffCall>;
