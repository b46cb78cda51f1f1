import type { z } from 'zod';
import { ErrorBody } from '../common.ts';
import type { Operation } from '../openapi.ts';

/** One HTTP exchange with the engine, as a transport sends it. */
export interface EngineHttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The path with its parameters filled in and its query string, never a whole URL. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** What is being called (none for a health check): a transport names it in its logs. */
  operation?: Operation;
  signal?: AbortSignal;
}

/** What a transport answers: a fetch `Response` is one. */
export interface EngineHttpAnswer {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  body?: ReadableStream<Uint8Array> | null;
}

/** Sends an exchange to an engine: fetch, a CA-pinned agent, failover across engines. */
export type EngineTransport = (request: EngineHttpRequest) => Promise<EngineHttpAnswer>;

/** The plain transport: fetch to one engine's base URL (the CLI's, the tests'). */
export const fetchTransport =
  (baseUrl: string): EngineTransport =>
  ({ method, path, headers, body, signal }) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined && { body }),
      ...(signal && { signal }),
    });

type Part<S, K extends string, Optional = false> = S extends z.ZodType
  ? Optional extends true
    ? { [P in K]?: z.input<S> }
    : { [P in K]: z.input<S> }
  : { [P in K]?: never };

/** What a call of an operation takes: exactly the inputs the operation declares, typed by them. */
export type CallInput<O extends Operation> = Part<O['params'], 'params'> &
  Part<O['query'], 'query', true> &
  Part<O['body'], 'body'> &
  (O['headers'] extends z.ZodType
    ? { headers: z.input<O['headers']> & Record<string, string> }
    : { headers?: Record<string, string> }) & {
    /** The caller's bearer token (an IAM token). */
    token?: string | undefined;
    /** Carried as x-request-id, so the engine's log line matches the caller's. */
    requestId?: string | undefined;
    signal?: AbortSignal;
  };

/** What a call of an operation gives back: its answer, checked against its response schema. */
export type CallResult<O extends Operation> = O['response'] extends z.ZodType
  ? z.output<O['response']>
  : void;

/** The engine refused the call: its status and, when it sent one, its error body. */
export class EngineRefusal extends Error {
  override name = 'EngineRefusal';
  constructor(
    readonly status: number,
    /** The engine's error code, or ENGINE_ERROR when its answer carried no error body. */
    readonly code: string,
    message: string,
    readonly details: unknown,
    /** Seconds, from Retry-After, when the engine said when to try again. */
    readonly retryAfter: string | undefined,
    /** Whether the engine explained itself with an error body. */
    readonly explained: boolean,
  ) {
    super(message);
  }
}

/** The engine answered something its contract does not allow: a bug or a proxy in between. */
export class EngineContractError extends Error {
  override name = 'EngineContractError';
  constructor(
    readonly operationId: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`The engine's answer to ${operationId} does not match its contract.`);
  }
}

/** The operation's path with each `:name` replaced by its (encoded) parameter, and its query. */
export function pathOf(op: Operation, params?: object, query?: object): string {
  const values = (params ?? {}) as Record<string, unknown>;
  let path = '';
  for (const part of templateOf(op.path)) {
    if (!part.param) {
      path += part.text;
      continue;
    }
    const value = values[part.text];
    if (value === undefined || value === null || value === '')
      throw new TypeError(`${op.operationId} needs its path parameter "${part.text}".`);
    path += encodeURIComponent(String(value));
  }
  if (!query) return path;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== null) search.set(name, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

/** A path template (`/clusters/:id/secrets`) split once into its text and its `:name`s. */
const templates = new Map<string, { text: string; param: boolean }[]>();
function templateOf(template: string) {
  let parts = templates.get(template);
  if (!parts) {
    parts = template
      .split(/(:\w+)/)
      .filter(Boolean)
      .map((text) =>
        text.startsWith(':') ? { text: text.slice(1), param: true } : { text, param: false },
      );
    templates.set(template, parts);
  }
  return parts;
}

/** The exchange that calls an operation with an input. */
export function requestOf<O extends Operation>(op: O, input: CallInput<O>): EngineHttpRequest {
  const { params, query, body, headers, token, requestId, signal } = input as {
    params?: object;
    query?: object;
    body?: unknown;
    headers?: Record<string, string>;
    token?: string;
    requestId?: string;
    signal?: AbortSignal;
  };
  const sent: Record<string, string> = {
    accept: op.contentType === 'text/event-stream' ? 'text/event-stream' : 'application/json',
    ...headers,
  };
  if (token) sent.authorization = `Bearer ${token}`;
  if (requestId) sent['x-request-id'] = requestId;
  if (body !== undefined) sent['content-type'] ??= 'application/json';
  return {
    method: op.method.toUpperCase() as EngineHttpRequest['method'],
    path: pathOf(op, params, query),
    headers: sent,
    ...(body !== undefined && { body: JSON.stringify(body) }),
    operation: op,
    ...(signal && { signal }),
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The engine's refusal of a call, from its status, Retry-After and error body. */
export function refusalOf(status: number, retryAfter: string | null, text: string): EngineRefusal {
  const body = ErrorBody.safeParse(parseJson(text));
  const after = retryAfter ?? undefined;
  return body.success
    ? new EngineRefusal(status, body.data.code, body.data.message, body.data.details, after, true)
    : new EngineRefusal(
        status,
        'ENGINE_ERROR',
        `The Keyhaven engine answered ${status}.`,
        undefined,
        after,
        false,
      );
}

/** A successful answer checked against the operation's response schema, or a refusal thrown. */
export async function resultOf<O extends Operation>(
  op: O,
  answer: EngineHttpAnswer,
): Promise<CallResult<O>> {
  const text = await answer.text();
  if (answer.status < 200 || answer.status >= 300)
    throw refusalOf(answer.status, answer.headers.get('retry-after'), text);
  if (!op.response) return undefined as CallResult<O>;
  const parsed = op.response.safeParse(parseJson(text));
  if (!parsed.success) throw new EngineContractError(op.operationId, parsed.error.issues);
  return parsed.data as CallResult<O>;
}

export interface EngineClientOptions {
  /** The bearer token to send when a call names none (renewed by whoever holds the API key). */
  token?: () => Promise<string | undefined>;
}

/**
 * The engine's API, typed from its route table: `client.call(engineApi.getKey, { params, headers
 * })` builds the exchange, sends it through the transport and checks the answer against the
 * operation's contract. The BFF, the CLI, the KMS plug-in and the tests each bring a transport.
 */
export class EngineClient {
  constructor(
    private readonly transport: EngineTransport,
    private readonly options: EngineClientOptions = {},
  ) {}

  private async request<O extends Operation>(op: O, input: CallInput<O>) {
    const token = (input as { token?: string }).token ?? (await this.options.token?.());
    return requestOf(op, { ...input, token } as CallInput<O>);
  }

  async call<O extends Operation>(op: O, input: CallInput<O>): Promise<CallResult<O>> {
    return resultOf(op, await this.transport(await this.request(op, input)));
  }

  /** Opens a streaming operation (Server-Sent Events); a refusal is thrown as for `call`. */
  async open<O extends Operation>(op: O, input: CallInput<O>): Promise<EngineHttpAnswer> {
    const answer = await this.transport(await this.request(op, input));
    if (answer.status < 200 || answer.status >= 300)
      throw refusalOf(answer.status, answer.headers.get('retry-after'), await answer.text());
    return answer;
  }
}
