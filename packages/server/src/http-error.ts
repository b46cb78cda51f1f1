import type { z } from 'zod';
import { describeIssues } from '@keyhaven/contracts';

/** What an error answer says: an HTTP status, a stable code, a message, optional details. */
export interface Problem {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  /** Seconds after which a retry may succeed (sent as Retry-After). */
  retryAfter?: number | string | undefined;
}

/** An error a service answers with as it is (its status, code and message reach the caller). */
export class HttpError extends Error implements Problem {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfter?: number | string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export type RequestPart = 'body' | 'query' | 'params' | 'header';

/** Validates one part of a request against its contract; a mismatch is a 400 naming the field. */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: RequestPart,
): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, issues } = describeIssues(result.error, where);
  throw new HttpError(400, 'INVALID_REQUEST', message, { issues });
}
