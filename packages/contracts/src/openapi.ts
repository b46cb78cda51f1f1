import { z } from 'zod';

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

/** Builds an OpenAPI 3 document from the same zod schemas the services validate with. */
export function buildOpenApi(title: string, operations: readonly Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', op.params],
      ['query', op.query],
    ] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input') as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, s] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    paths[path] ??= {};
    paths[path][op.method] = {
      summary: op.summary,
      parameters,
      ...(op.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: toSchema(op.body, 'input') } },
        },
      }),
      responses: {
        '200': {
          description: 'OK',
          ...(op.response && {
            content: { 'application/json': { schema: toSchema(op.response, 'output') } },
          }),
        },
        default: {
          description: 'Error',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['code', 'message'],
                properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
              },
            },
          },
        },
      },
    };
  }
  return { openapi: '3.0.3', info: { title, version: '0.1.0' }, paths };
}
