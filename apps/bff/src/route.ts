import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Operation } from '@keyhaven/contracts';
import type { SessionData } from './session.ts';

export interface ApiCall {
  req: Request;
  res: Response;
  session: SessionData;
  requestId: string;
}

/** Declares a logged-in API route: session, CSRF on state changes, contract-checked input. */
export type Route = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  op: Omit<Operation, 'params' | 'query' | 'body'> & {
    params?: P;
    query?: Q;
    body?: B;
    status?: number;
  },
  handler: (
    call: ApiCall & { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B> },
  ) => Promise<unknown>,
) => void;
