import type { z } from 'zod';
import { ErrorBody } from '@keyhaven/contracts';

/** A failed console API call, carrying the server's code, message and details. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** No screen waits longer than this for the console server (the BFF answers sooner itself). */
const REQUEST_TIMEOUT_MS = 20_000;

let csrfToken: string | undefined;

/** The session's CSRF token, sent with every state-changing request. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal | undefined;
}

async function send(
  path: string,
  { method = 'GET', body, signal }: RequestOptions,
): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    if (timeout.aborted)
      throw new ApiRequestError(
        0,
        'TIMEOUT',
        `The console server did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`,
      );
    throw new ApiRequestError(
      0,
      'NETWORK',
      'The console server cannot be reached. Check your connection.',
    );
  }
  if (!response.ok) {
    const parsed = ErrorBody.safeParse(await response.json().catch(() => undefined));
    if (parsed.success)
      throw new ApiRequestError(
        response.status,
        parsed.data.code,
        parsed.data.message,
        parsed.data.details,
      );
    throw new ApiRequestError(
      response.status,
      'HTTP_' + response.status,
      `The request failed (${response.status}).`,
    );
  }
  return response;
}

/** Calls the console API and checks the answer against the shared contract. */
export async function apiRequest<T extends z.ZodType>(
  schema: T,
  path: string,
  options: RequestOptions = {},
): Promise<z.infer<T>> {
  const response = await send(path, options);
  return schema.parse(response.status === 204 ? null : await response.json());
}

/** For calls whose success has no body. */
export async function apiSend(path: string, options: RequestOptions = {}): Promise<void> {
  await send(path, options);
}
