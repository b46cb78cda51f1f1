import { describe, expect, it } from 'vitest';
import { type z } from 'zod';
import {
  EngineClient,
  EngineContractError,
  EngineRefusal,
  engineApi,
  pathOf,
  requestOf,
  type EngineHttpRequest,
} from '../src/index.ts';

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: { get: (name: string) => headers[name] ?? null },
  text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
});

/** A client whose transport records what it was asked and answers what the test says. */
function recording(reply: ReturnType<typeof answer>) {
  const sent: EngineHttpRequest[] = [];
  const client = new EngineClient(async (request) => {
    sent.push(request);
    return reply;
  });
  return { client, sent };
}

describe('the engine route table', () => {
  const operations = Object.values(engineApi).filter(
    (v): v is typeof engineApi.getKey => typeof v === 'object' && v !== null && 'operationId' in v,
  );

  it('names each operation by its operationId, once', () => {
    for (const [name, op] of Object.entries(engineApi))
      if (typeof op === 'object' && 'operationId' in op) expect(op.operationId).toBe(name);
    expect(new Set(operations.map((o) => `${o.method} ${o.path}`)).size).toBe(operations.length);
    expect(operations.length).toBeGreaterThanOrEqual(45);
  });

  it('declares a parameter schema for every parameter of every path', () => {
    for (const op of operations) {
      const names = [...op.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const shape = 'params' in op && op.params ? Object.keys(op.params.shape) : [];
      expect({ op: op.operationId, names }).toEqual({ op: op.operationId, names: shape });
    }
  });
});

describe('EngineClient', () => {
  it('fills the path, encodes each parameter, and sends the token, request id and headers', async () => {
    const { client, sent } = recording(answer(200, []));
    await client.call(engineApi.listKeyActivity, {
      params: { id: 'key/../1' },
      headers: { 'bluemix-instance': 'kp-us-south' },
      token: 'tok',
      requestId: 'req-1',
    });
    expect(sent[0]).toMatchObject({
      method: 'GET',
      path: '/api/v2/keys/key%2F..%2F1/activity',
      headers: {
        accept: 'application/json',
        authorization: 'Bearer tok',
        'x-request-id': 'req-1',
        'bluemix-instance': 'kp-us-south',
      },
    });
    expect(sent[0]?.body).toBeUndefined();
  });

  it('sends a body as JSON and a query without its undefined values', async () => {
    const { client, sent } = recording(answer(200, { ok: true }));
    await client
      .call(engineApi.deleteKey, {
        params: { id: 'k1' },
        query: { force: 'true' },
        headers: { 'bluemix-instance': 'kp' },
      })
      .catch(() => undefined);
    expect(sent[0]?.path).toBe('/api/v2/keys/k1?force=true');
    const request = requestOf(engineApi.createApiKey, { body: { name: 'ci' } });
    expect(request).toMatchObject({
      method: 'POST',
      path: '/identity/apikeys',
      body: '{"name":"ci"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(request.headers.authorization).toBeUndefined();
    expect(pathOf(engineApi.listSecrets, { id: 'c1' }, { namespace: undefined, page: 2 })).toBe(
      '/v2/clusters/c1/secrets?page=2',
    );
  });

  it('refuses to build a path with a parameter missing', () => {
    expect(() => pathOf(engineApi.getCluster, { id: '' })).toThrow(
      'getCluster needs its path parameter "id".',
    );
  });

  it('asks for the token when a call names none', async () => {
    const sent: EngineHttpRequest[] = [];
    const client = new EngineClient(
      async (r) => {
        sent.push(r);
        return answer(200, []);
      },
      { token: async () => 'renewed' },
    );
    await client.call(engineApi.listClusterActivity, { params: { id: 'c1' } });
    await client.call(engineApi.listClusterActivity, { params: { id: 'c1' }, token: 'own' });
    expect(sent.map((r) => r.headers.authorization)).toEqual(['Bearer renewed', 'Bearer own']);
  });

  it('answers the checked result, or nothing for an operation without a response', async () => {
    const me = {
      id: 'user-admin',
      username: 'admin',
      accountId: 'acct-1',
      platformRoles: [],
      serviceRoles: [],
      extra: 'dropped',
    };
    const ok = recording(answer(200, me));
    const { extra: _, ...checked } = me;
    await expect(ok.client.call(engineApi.getMe, {})).resolves.toEqual(checked);
    const none = recording(answer(204, ''));
    await expect(none.client.call(engineApi.deleteApiKey, { params: { id: 'k' } })).resolves.toBe(
      undefined,
    );
  });

  it('throws a contract error naming the operation when the answer breaks the contract', async () => {
    const { client } = recording(answer(200, { username: 42 }));
    const err = await client.call(engineApi.getMe, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineContractError);
    expect(err).toMatchObject({ operationId: 'getMe' });
    expect((err as EngineContractError).issues.length).toBeGreaterThan(0);
  });

  it("maps the engine's error body to a refusal, with Retry-After", async () => {
    const { client } = recording(
      answer(
        409,
        { code: 'KEY_IN_USE', message: 'In use.', details: { n: 1 } },
        {
          'retry-after': '5',
        },
      ),
    );
    await expect(client.call(engineApi.getMe, {})).rejects.toEqual(
      new EngineRefusal(409, 'KEY_IN_USE', 'In use.', { n: 1 }, '5', true),
    );
    const bare = await recording(answer(502, '<html>bad gateway</html>'))
      .client.call(engineApi.getMe, {})
      .catch((e: EngineRefusal) => e);
    expect(bare).toMatchObject({
      status: 502,
      code: 'ENGINE_ERROR',
      message: 'The Keyhaven engine answered 502.',
      explained: false,
    });
    // A body that is JSON but not an error body is not taken for one.
    const odd = await recording(answer(400, { code: 7 }))
      .client.call(engineApi.getMe, {})
      .catch((e: EngineRefusal) => e);
    expect(odd).toMatchObject({ code: 'ENGINE_ERROR', explained: false });
  });

  it('opens a stream, refusing as a call does', async () => {
    const stream = recording(answer(200, 'data: {}\n\n'));
    const opened = await stream.client.open(engineApi.watchClusters, {});
    expect(opened.status).toBe(200);
    expect(stream.sent[0]?.headers.accept).toBe('text/event-stream');
    await expect(
      recording(answer(401, { code: 'UNAUTHORIZED', message: 'No.' })).client.open(
        engineApi.watchClusters,
        {},
      ),
    ).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('types inputs from the contract', () => {
    // @ts-expect-error getCluster needs its params.
    expect(() => requestOf(engineApi.getCluster, {})).toThrow(TypeError);
    const body: z.input<typeof engineApi.wrapKey.body> = { plaintext: 'AA==' };
    expect(
      requestOf(engineApi.wrapKey, {
        params: { id: 'k' },
        body,
        headers: { 'bluemix-instance': 'kp' },
      }).body,
    ).toBe(JSON.stringify(body));
  });
});
