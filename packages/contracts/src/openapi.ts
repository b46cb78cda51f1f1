import { z } from 'zod';
import { ErrorBody } from './common.ts';

/** One operation of a service's API, as its route declares it and OpenAPI documents it. */
export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  /** Unique across the document; what a generated client names the call. */
  operationId: string;
  summary: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  /** Request headers the operation reads (an object schema, lower-case names). */
  headers?: z.ZodType;
  body?: z.ZodType;
  /** The body may be left out (every field of it is optional): an absent body reads as {}. */
  bodyOptional?: boolean;
  /** The answer's schema; without one the operation answers 204 No Content. */
  response?: z.ZodType;
  /** Status of a successful answer (200, or 204 without a response schema). */
  status?: number;
  /** Media type of the answer (application/json when omitted). */
  contentType?: string;
  /** Error statuses this operation gives besides those every operation of its kind gives. */
  errors?: readonly number[];
  /** false: no credentials needed (logging in, the token exchange). */
  auth?: boolean;
  /** When it may also answer 204 No Content: what that means ("logged out"). */
  noContent?: string;
}

export interface OpenApiOptions {
  title: string;
  description: string;
  servers: { url: string; description: string }[];
  securitySchemes: Record<string, Record<string, unknown>>;
  /** The security requirement of an operation that needs credentials. */
  securityOf: (op: Operation) => Record<string, string[]>[];
  /** Error statuses every operation can give (an unavailable dependency, for one). */
  commonErrors: readonly number[];
  tags: Record<string, string>;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is not valid: the message names the field',
  401: 'Not logged in, or the token or session expired',
  403: 'The caller lacks the role the operation needs: the message names it',
  404: 'The resource does not exist, or the caller may not see it',
  409: 'The request conflicts with the current state: the message says why',
  413: 'The request body is too large',
  429: 'Too many attempts: wait and try again',
  500: 'An unexpected failure (nothing secret is said)',
  502: 'A service behind this one sent an unexpected answer',
  503: 'A service or the store behind this one is unavailable: retry later',
  504: 'A service behind this one did not answer in time',
};

function toSchema(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  return json;
}

function parametersOf(op: Operation) {
  const parameters: unknown[] = [];
  for (const [where, schema] of [
    ['path', op.params],
    ['query', op.query],
    ['header', op.headers],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input') as {
      properties?: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    for (const [name, s] of Object.entries(json.properties ?? {})) {
      const { description, examples, ...rest } = s;
      const example = Array.isArray(examples) ? (examples[0] as unknown) : undefined;
      parameters.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(typeof description === 'string' && { description }),
        schema: rest,
        // A value that reaches a real resource of the demo, for tools that try the examples.
        ...(example !== undefined && { example }),
      });
    }
  }
  return parameters;
}

/** The error statuses an operation really gives: from its input, its credentials and its own. */
function errorStatuses(op: Operation, common: readonly number[]) {
  const statuses = new Set<number>(common);
  if (op.params || op.query || op.headers || op.body) statuses.add(400);
  if (op.body) statuses.add(413);
  if (op.auth !== false) statuses.add(401);
  if (op.params) statuses.add(404);
  for (const s of op.errors ?? []) statuses.add(s);
  return [...statuses].sort((a, b) => a - b);
}

function operationOf(op: Operation, options: OpenApiOptions) {
  const status = op.status ?? (op.response ? 200 : 204);
  const responses: Record<string, unknown> = {
    [status]: {
      description: op.summary,
      ...(op.response && {
        content: {
          [op.contentType ?? 'application/json']: { schema: toSchema(op.response, 'output') },
        },
      }),
    },
  };
  if (op.noContent && status !== 204) responses[204] = { description: op.noContent };
  for (const s of errorStatuses(op, options.commonErrors)) {
    responses[s] = {
      description: ERROR_TEXT[s] ?? 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    security: op.auth === false ? [] : options.securityOf(op),
    parameters: parametersOf(op),
    ...(op.body && {
      requestBody: {
        required: op.bodyOptional !== true,
        content: { 'application/json': { schema: toSchema(op.body, 'input') } },
      },
    }),
    responses,
  };
}

const templated = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');
const pathParams = (path: string) => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');

/**
 * Where a value named `name` sits in an answer: the object's own property, or that of the first
 * element of a list (a bare array, Key Protect's `resources`, a page's `items`).
 */
function pointerTo(schema: Record<string, unknown> | undefined, name: string): string | undefined {
  const props = (s: unknown) =>
    (s as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
  const items = (s: unknown) => (s as { items?: unknown } | undefined)?.items;
  if (!schema) return undefined;
  if (name in props(schema)) return `/${name}`;
  if (name in props(items(schema))) return `/0/${name}`;
  for (const list of ['resources', 'items'])
    if (name in props(items(props(schema)[list]))) return `/${list}/0/${name}`;
  return undefined;
}

/**
 * OpenAPI links from each operation to those under its path whose parameters its request and
 * answer give: list or create keys → that key's operations, list or connect clusters → that
 * cluster's. A stateful fuzzer follows them to reach real resources instead of answering 404.
 */
function linksOf(source: Operation, operations: readonly Operation[]) {
  const stream = (op: Operation) => op.contentType === 'text/event-stream';
  if (stream(source) || !source.response) return undefined;
  const answer = toSchema(source.response, 'output');
  const own = new Set(pathParams(source.path));
  const links: Record<string, unknown> = {};
  for (const target of operations) {
    if (target === source || !target.path.startsWith(`${source.path}/`)) continue;
    if (stream(target)) continue;
    const parameters: Record<string, string> = {};
    for (const name of pathParams(target.path)) {
      const pointer = own.has(name) ? undefined : pointerTo(answer, name);
      if (own.has(name)) parameters[`path.${name}`] = `$request.path.${name}`;
      else if (pointer) parameters[`path.${name}`] = `$response.body#${pointer}`;
      else break;
    }
    if (Object.keys(parameters).length !== pathParams(target.path).length) continue;
    // A header both read (Key Protect's Bluemix-Instance) goes on as it was sent.
    const headers = (op: Operation) =>
      Object.keys(op.headers ? ((toSchema(op.headers, 'input').properties as object) ?? {}) : {});
    for (const name of headers(target))
      if (headers(source).includes(name)) parameters[`header.${name}`] = `$request.header.${name}`;
    links[target.operationId] = { operationId: target.operationId, parameters };
  }
  return Object.keys(links).length > 0 ? links : undefined;
}

/** Builds an OpenAPI 3.1 document (JSON Schema 2020-12) from the schemas the services validate with. */
export function buildOpenApi(options: OpenApiOptions, operations: readonly Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = templated(op.path);
    paths[path] ??= {};
    const operation = operationOf(op, options);
    const links = linksOf(op, operations);
    if (links) {
      const ok = operation.responses[String(op.status ?? 200)] as Record<string, unknown>;
      ok.links = links;
    }
    paths[path][op.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: '0.1.0',
      description: options.description,
      license: { name: 'Proprietary', identifier: 'LicenseRef-Keyhaven' },
    },
    servers: options.servers,
    tags: Object.entries(options.tags).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: options.securitySchemes,
      schemas: { Error: toSchema(ErrorBody, 'output') },
    },
  };
}
