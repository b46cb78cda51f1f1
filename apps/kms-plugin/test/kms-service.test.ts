import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { status as Code } from '@grpc/grpc-js';
import type {
  PluginRegistration,
  PluginReport,
  UnwrapResponse,
  WrapResponse,
} from '@keyhaven/contracts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { PluginConfig } from '../src/config.ts';
import { PluginError, refusal } from '../src/engine-client.ts';
import {
  BOUND_ANNOTATION,
  KmsService,
  asPluginError,
  SEED_BYTES,
  VERSION_ANNOTATION,
  type ServiceEngine,
} from '../src/kms-service.ts';

const config = (over: Partial<PluginConfig> = {}): PluginConfig => ({
  socketPath: '/tmp/unused.sock',
  healthz: { path: '/healthz', host: '127.0.0.1', port: 0 },
  cacheTimeoutMs: 3_600_000,
  maxRetries: 0,
  restartDelayMs: 1_000,
  tokenUrl: 'http://127.0.0.1:1/identity/token',
  apiKey: 'khk_unit-test',
  engineUrl: 'http://127.0.0.1:1',
  instanceId: 'kp-us-south',
  rootKeyId: 'crk-1',
  resource: 'kms-plugin:node-1',
  description: 'KMS plug-in on node-1',
  logLevel: 'silent',
  logAllValues: false,
  ignored: [],
  ...over,
});

/**
 * An engine in memory: it "wraps" by tagging the seed with the key, version and bound value, and
 * unwraps only what it wrapped under the same bound value, as the real one does with its AAD.
 */
function fakeEngine() {
  const state = {
    version: 'v1',
    registration: 'reg-1',
    failure: undefined as PluginError | undefined,
    corruptUnwrap: false,
    calls: { register: 0, wrap: 0, unwrap: 0 },
    reports: [] as PluginReport[],
  };
  const check = () => {
    if (state.failure) throw state.failure;
  };
  const engine: ServiceEngine = {
    async register(instanceId, keyId, resource, description) {
      state.calls.register++;
      check();
      const registration: PluginRegistration = {
        keyId,
        resource,
        registrationId: state.registration,
        description,
        keyVersion: { id: state.version },
        state: 1,
        createdAt: '2026-12-01T00:00:00Z',
      };
      return registration;
    },
    async wrap(instanceId, keyId, plaintext, bound) {
      state.calls.wrap++;
      check();
      const sealed = [instanceId, keyId, state.version, bound ?? '', plaintext.toString('hex')];
      const answer: WrapResponse = {
        ciphertext: Buffer.from(sealed.join('|')).toString('base64'),
        keyVersion: { id: state.version },
      };
      return answer;
    },
    async unwrap(instanceId, keyId, ciphertext, bound) {
      state.calls.unwrap++;
      check();
      const [, key, version = '', sealedBound, hex = ''] = ciphertext.toString().split('|');
      if (key !== keyId || sealedBound !== (bound ?? ''))
        throw refusal(400, { code: 'INVALID_CIPHERTEXT', message: 'not under this key' });
      const seed = Buffer.from(hex, 'hex');
      const answer: UnwrapResponse = {
        plaintext: (state.corruptUnwrap ? Buffer.alloc(seed.length) : seed).toString('base64'),
        keyVersion: { id: version },
      };
      return answer;
    },
    async report(_clusterId, report) {
      state.reports.push(report);
    },
    close() {},
    watchUrl: () => new URL('http://127.0.0.1:1/unused'),
    authorization: async () => 'Bearer unused',
    agentFor: () => {
      throw new Error('the unit tests do not watch');
    },
    forgetToken() {},
  };
  return { engine, state };
}

function service(over: Partial<PluginConfig> = {}) {
  const fake = fakeEngine();
  let now = Date.parse('2026-12-01T00:00:00Z');
  const kms = new KmsService({
    config: config(over),
    log: pino({ level: 'silent' }),
    engine: fake.engine,
    now: () => now,
  });
  return { kms, ...fake, advance: (ms: number) => (now += ms) };
}

const seed = () => Buffer.alloc(SEED_BYTES, 7);
const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (err: unknown) => (err instanceof PluginError ? err.code : `not a PluginError: ${err}`),
  );

describe('Status: a real round trip through the root key', () => {
  it('is healthy with a key_id naming the instance, key, version and registration', async () => {
    const { kms } = service();
    expect(await kms.status()).toMatchObject({
      ok: true,
      healthz: 'ok',
      keyId: 'keyhaven:v1:kp-us-south:crk-1:v1:reg-1',
    });
  });

  it('answers from the last round trip for a second, then makes a new one', async () => {
    const { kms, state, advance } = service();
    await Promise.all([kms.status(), kms.status()]);
    await kms.status();
    expect(state.calls.wrap).toBe(1);
    advance(1_000);
    await kms.status();
    expect(state.calls.wrap).toBe(2);
  });

  it('says why it is unhealthy, and drops the cached seeds', async () => {
    const { kms, state, advance } = service();
    const { ciphertext, keyId, annotations } = await kms.encrypt(seed());
    state.failure = refusal(400, { code: 'ROOT_KEY_DISABLED', message: 'disabled' });
    advance(1_000);
    expect(await kms.status()).toMatchObject({ ok: false, healthz: 'root key disabled' });
    state.failure = undefined;
    // Healthy again: the seeds cached before the failure are gone, so the engine opens it.
    advance(1_000);
    expect(await kms.status()).toMatchObject({ ok: true });
    const before = state.calls.unwrap;
    expect(await kms.decrypt(ciphertext, keyId, annotations)).toEqual(seed());
    expect(state.calls.unwrap).toBe(before + 1);
  });

  it('is unhealthy when the unwrapped seed differs from the one wrapped', async () => {
    const { kms, state } = service();
    state.corruptUnwrap = true;
    expect(await kms.status()).toMatchObject({ ok: false, healthz: 'round trip mismatch' });
  });

  it('following a cluster: unknown key first, then KMS off, then the key the cluster names', async () => {
    const { kms, state } = service({
      instanceId: undefined,
      rootKeyId: undefined,
      clusterId: 'kc-1',
    });
    expect(await kms.status()).toMatchObject({ ok: false, healthz: 'cluster key not known yet' });
    kms.useClusterKms(null);
    expect(await kms.status()).toMatchObject({
      ok: false,
      healthz: 'KMS not enabled on the cluster in Keyhaven',
    });
    kms.useClusterKms({ instanceId: 'kp-us-south', crkId: 'crk-9', keyVersion: 'v1' });
    expect((await kms.status()).keyId).toBe('keyhaven:v1:kp-us-south:crk-9:v1:reg-1');
    expect(state.reports.map((r) => r.healthz)).toEqual([
      'cluster key not known yet',
      'KMS not enabled on the cluster in Keyhaven',
      'ok',
    ]);
    expect(state.reports.every((r) => r.resource === 'kms-plugin:node-1')).toBe(true);
  });
});

describe('Encrypt and Decrypt', () => {
  it('refuses a plaintext that is not a 32-byte seed', async () => {
    const { kms } = service();
    expect(await codeOf(kms.encrypt(Buffer.alloc(31)))).toBe(Code.INVALID_ARGUMENT);
  });

  it('wraps bound to the registration, and a rotation changes the key_id it reports', async () => {
    const { kms, state } = service({ clusterId: 'kc-1' });
    const first = await kms.encrypt(seed());
    expect(first.keyId).toBe('keyhaven:v1:kp-us-south:crk-1:v1:reg-1');
    expect(first.annotations[BOUND_ANNOTATION]?.toString()).toBe('registration');
    state.version = 'v2';
    const second = await kms.encrypt(seed());
    expect(second.keyId).toBe('keyhaven:v1:kp-us-south:crk-1:v2:reg-1');
    expect(second.annotations[VERSION_ANNOTATION]?.toString()).toBe('v2');
    expect(kms.lastHealth.keyId).toBe(second.keyId);
    expect(state.reports.at(-1)?.encryptKeyId).toBe(second.keyId);
    expect(await kms.decrypt(first.ciphertext, first.keyId, first.annotations)).toEqual(seed());
  });

  it('is unavailable while no round trip succeeded', async () => {
    const { kms, state } = service();
    state.failure = refusal(503, undefined);
    expect(await codeOf(kms.encrypt(seed()))).toBe(Code.UNAVAILABLE);
  });

  it('opens from the cache without the engine while healthy', async () => {
    const { kms, state } = service();
    const { ciphertext, keyId, annotations } = await kms.encrypt(seed());
    const before = state.calls.unwrap;
    expect(await kms.decrypt(ciphertext, keyId, annotations)).toEqual(seed());
    expect(state.calls.unwrap).toBe(before);
  });

  it('refuses a key_id it did not write, a mismatched annotation, or another registration', async () => {
    const { kms } = service({ cacheTimeoutMs: 0 });
    const { ciphertext, keyId, annotations } = await kms.encrypt(seed());
    expect(await codeOf(kms.decrypt(ciphertext, 'aws:123', annotations))).toBe(
      Code.INVALID_ARGUMENT,
    );
    const other = { ...annotations, [VERSION_ANNOTATION]: Buffer.from('v9') };
    expect(await codeOf(kms.decrypt(ciphertext, keyId, other))).toBe(Code.INVALID_ARGUMENT);
    const forged = keyId.replace(/reg-1$/, 'reg-2');
    const err = await kms.decrypt(ciphertext, forged, annotations).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: 'the key_id names another registration than the seed was wrapped for',
    });
    expect(await kms.decrypt(Buffer.alloc(0), keyId, annotations).catch((e) => e)).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      reason: 'invalid request',
      message: 'ciphertext must be 1 to 1024 bytes',
    });
  });
});

describe("the engine's refusals as gRPC codes", () => {
  it.each([
    [400, 'ROOT_KEY_DISABLED', Code.FAILED_PRECONDITION, 'root key disabled'],
    [410, 'KEY_DESTROYED', Code.FAILED_PRECONDITION, 'root key deleted'],
    [422, 'INVALID_CIPHERTEXT', Code.INVALID_ARGUMENT, 'ciphertext not from this root key'],
    [401, 'UNAUTHORIZED', Code.UNAUTHENTICATED, 'API key refused by the engine'],
    [403, 'FORBIDDEN', Code.PERMISSION_DENIED, 'access to the root key refused'],
    [404, 'NOT_FOUND', Code.NOT_FOUND, 'root key not found'],
    [429, 'RATE_LIMITED', Code.RESOURCE_EXHAUSTED, 'engine rate limit'],
    [502, 'BAD_GATEWAY', Code.UNAVAILABLE, 'engine unavailable'],
    [409, 'CONFLICT', Code.INTERNAL, 'engine refused the request'],
  ])('%i %s → %i (%s)', (status, code, grpc, reason) => {
    const err = refusal(status, { code, message: 'the words' });
    expect(err).toMatchObject({ code: grpc, reason, message: `${code}: the words` });
    expect(err.retryable).toBe(status === 429 || status >= 500);
  });

  it('says the HTTP status when the engine sent no error body', () => {
    expect(refusal(500, undefined).message).toBe('HTTP 500');
  });
});

describe('the edges of the KMS service', () => {
  it('says it was not checked yet before its first Status, with a stand-in key_id', () => {
    const { kms } = service();
    expect(kms.lastHealth).toEqual({
      ok: false,
      healthz: 'not checked yet',
      keyId: 'keyhaven:v1:kp-us-south:crk-1:unknown:unregistered',
      checkedAt: 0,
    });
    const following = service({ instanceId: undefined, rootKeyId: undefined, clusterId: 'kc-1' });
    expect(following.kms.lastHealth.keyId).toBe('keyhaven:v1:none:none:unknown:unregistered');
  });

  it('uses a fixed root key only when both its instance and its id are configured', async () => {
    const { kms } = service({ rootKeyId: undefined, clusterId: 'kc-1' });
    expect(await kms.status()).toMatchObject({ ok: false, healthz: 'cluster key not known yet' });
  });

  it('reports only when it follows a cluster, with its health cut to 256 characters', async () => {
    const lone = service();
    await lone.kms.status();
    expect(lone.state.reports).toEqual([]);
    const { kms, state } = service({ clusterId: 'kc-1' });
    state.failure = new PluginError(Code.UNAVAILABLE, 'x'.repeat(300), 'down');
    await kms.status();
    expect(state.reports.at(-1)?.healthz).toBe('x'.repeat(256));
  });

  it('goes on when the engine refuses its report', async () => {
    const { kms, engine } = service({ clusterId: 'kc-1' });
    engine.report = async () => {
      throw new Error('engine down');
    };
    expect(await kms.status()).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 10));
  });

  it('keeps its key and last check when the cluster names the same version again', async () => {
    const { kms, state } = service({ instanceId: undefined, rootKeyId: undefined, clusterId: 'k' });
    const kmsOf = (crkId: string, keyVersion = 'v1') => ({
      instanceId: 'kp-us-south',
      crkId,
      keyVersion,
    });
    kms.useClusterKms(kmsOf('crk-9'));
    await kms.status();
    kms.useClusterKms(kmsOf('crk-9'));
    await kms.status();
    expect(state.calls.wrap).toBe(1);
    // A new version of the same key keeps the key in use, and the next Status checks again.
    kms.useClusterKms(kmsOf('crk-9', 'v2'));
    expect((await kms.encrypt(seed())).keyId).toContain(':crk-9:');
    expect(state.calls.register).toBe(1);
    await kms.status();
    expect(state.calls.register).toBe(2);
    // Another key drops the one in use: the next Encrypt registers with the new key first.
    kms.useClusterKms(kmsOf('crk-7'));
    expect((await kms.encrypt(seed())).keyId).toContain(':crk-7:');
    expect(state.calls.register).toBe(3);
  });

  it('takes seeds of exactly 32 bytes, and ciphertexts of 1 to 1024 bytes', async () => {
    const { kms, state } = service({ cacheTimeoutMs: 0 });
    expect(await codeOf(kms.encrypt(Buffer.alloc(33)))).toBe(Code.INVALID_ARGUMENT);
    const err = await kms.encrypt(Buffer.alloc(31)).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: 'plaintext must be a 32-byte DEK seed, got 31' });
    const { keyId, annotations } = await kms.encrypt(seed());
    const tooLong = await kms.decrypt(Buffer.alloc(1025), keyId, annotations).catch((e) => e);
    expect(tooLong).toMatchObject({
      code: Code.INVALID_ARGUMENT,
      message: 'ciphertext must be 1 to 1024 bytes',
    });
    const before = state.calls.unwrap;
    // 1,024 bytes passes the size check and reaches the engine (which refuses what it did not wrap).
    expect(await codeOf(kms.decrypt(Buffer.alloc(1024), keyId, annotations))).toBe(
      Code.INVALID_ARGUMENT,
    );
    expect(state.calls.unwrap).toBe(before + 1);
  });

  it('refuses a wrapped seed over 1 KiB, which the API server could not store', async () => {
    const { kms, engine } = service();
    await kms.status();
    const wrap = engine.wrap;
    engine.wrap = async (...args) => ({
      ...(await wrap(...args)),
      ciphertext: Buffer.alloc(1025).toString('base64'),
    });
    const err = await kms.encrypt(seed()).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: Code.INTERNAL,
      reason: 'ciphertext too long',
      message: 'the wrapped seed exceeds 1 KiB',
    });
    engine.wrap = async (...args) => ({
      ...(await wrap(...args)),
      ciphertext: Buffer.alloc(1024).toString('base64'),
    });
    expect((await kms.encrypt(seed())).ciphertext).toHaveLength(1024);
  });

  it('names each refusal of Decrypt, and refuses a seed another version wrapped', async () => {
    const { kms, state } = service({ cacheTimeoutMs: 0 });
    const { ciphertext, keyId, annotations } = await kms.encrypt(seed());
    const message = async (...args: Parameters<typeof kms.decrypt>) =>
      ((await kms.decrypt(...args).catch((e: unknown) => e)) as Error).message;
    expect(await message(ciphertext, 'aws:1', annotations)).toBe(
      'key_id was not written by a Keyhaven KMS plug-in',
    );
    expect(await message(ciphertext, keyId, {})).toBe(
      'annotation key-version.kms.keyhaven.io does not match the key_id',
    );
    // The key_id and annotation say v2, but the engine opened it with v1.
    const v2 = keyId.replace(/:v1:reg-1$/, ':v2:reg-1');
    expect(
      await message(ciphertext, v2, { ...annotations, [VERSION_ANNOTATION]: Buffer.from('v2') }),
    ).toBe('the ciphertext was wrapped by another root key version than the key_id names');
    // A seed without the bound mark opens without the registration, as before issue 25.
    const { [BOUND_ANNOTATION]: _bound, ...unbound } = annotations;
    state.failure = refusal(400, { code: 'INVALID_CIPHERTEXT', message: 'not under this key' });
    expect(await codeOf(kms.decrypt(ciphertext, keyId, unbound))).toBe(Code.INVALID_ARGUMENT);
    expect(await message(ciphertext, keyId, unbound)).toBe(
      'INVALID_CIPHERTEXT: not under this key',
    );
  });

  it('does not cache seeds when CACHE_TIMEOUT_IN_HOURS is 0', async () => {
    const { kms, state } = service({ cacheTimeoutMs: 0 });
    const { ciphertext, keyId, annotations } = await kms.encrypt(seed());
    expect(await kms.decrypt(ciphertext, keyId, annotations)).toEqual(seed());
    await kms.decrypt(ciphertext, keyId, annotations);
    expect(state.calls.unwrap).toBe(3);
  });

  it('caches what Decrypt opened, and wraps an unexpected failure as INTERNAL', async () => {
    const { kms, state, engine } = service();
    const { ciphertext, keyId, annotations } = await kms.encrypt(seed());
    const other = await service().kms.encrypt(Buffer.alloc(32, 9));
    const unwraps = state.calls.unwrap;
    await kms.decrypt(other.ciphertext, other.keyId, other.annotations);
    await kms.decrypt(other.ciphertext, other.keyId, other.annotations);
    expect(state.calls.unwrap).toBe(unwraps + 1);
    engine.unwrap = async () => {
      throw new TypeError('boom');
    };
    const err = await kms.decrypt(ciphertext.subarray(1), keyId, annotations).catch((e) => e);
    expect(asPluginError(err)).toMatchObject({
      code: Code.INTERNAL,
      reason: 'plug-in error',
      message: 'boom',
    });
    expect(asPluginError('text')).toMatchObject({ code: Code.INTERNAL, message: 'text' });
    expect(asPluginError(undefined)).toMatchObject({ code: Code.INTERNAL, message: 'undefined' });
  });
});

describe('what the KMS service logs about its health', () => {
  /** A service whose log lines are kept, as pino writes them. */
  function logged() {
    const lines: { level: number; msg: string; reason?: string }[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const fake = fakeEngine();
    let now = 0;
    const kms = new KmsService({ config: config(), log, engine: fake.engine, now: () => now });
    const check = async () => {
      now += 1_000;
      await kms.status();
    };
    const said = () => lines.map((l) => (l.reason ? `${l.msg}: ${l.reason}` : l.msg));
    return { kms, state: fake.state, check, said };
  }

  it('says healthy once, a failure once per reason, and healthy again when it recovers', async () => {
    const { state, check, said } = logged();
    await check();
    await check();
    expect(said()).toEqual(['healthy']);
    state.failure = refusal(503, undefined);
    await check();
    await check();
    state.failure = refusal(400, { code: 'ROOT_KEY_DISABLED', message: 'disabled' });
    await check();
    state.failure = undefined;
    await check();
    expect(said()).toEqual([
      'healthy',
      'health check failed: engine unavailable',
      'health check failed: root key disabled',
      'healthy',
    ]);
  });
});

describe('following a cluster through the engine’s status stream', () => {
  it('takes the key the stream names, and stops following when closed', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = {
        clusterId: 'kc-1',
        revision: 1,
        masterStatus: 'Ready',
        masterHealth: 'normal',
        modifiedDate: '2026-12-01T00:00:00.000Z',
        progress: null,
        keyProtectEnabled: true,
        kms: { instanceId: 'kp-us-south', crkId: 'crk-5', keyVersion: 'v1' },
      };
      res.write(`event: status\ndata: ${JSON.stringify(event)}\n\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = fakeEngine();
    const requests: string[] = [];
    const agent = new http.Agent();
    fake.engine.watchUrl = (id) => {
      requests.push(id);
      return new URL(`http://127.0.0.1:${port}/v2/clusters/${id}/watch`);
    };
    fake.engine.agentFor = () => agent;
    const kms = new KmsService({
      config: config({ instanceId: undefined, rootKeyId: undefined, clusterId: 'kc-1' }),
      log: pino({ level: 'silent' }),
      engine: fake.engine,
    });
    try {
      kms.start();
      kms.start();
      for (let i = 0; i < 100 && (await kms.status()).healthz !== 'ok'; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(kms.lastHealth.keyId).toBe('keyhaven:v1:kp-us-south:crk-5:v1:reg-1');
      expect(requests).toEqual(['kc-1']);
      const open = () =>
        new Promise<number>((resolve) => server.getConnections((_err, n) => resolve(n)));
      expect(await open()).toBe(1);
      kms.close();
      for (let i = 0; i < 50 && (await open()) > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(await open()).toBe(0);
    } finally {
      kms.close();
      server.closeAllConnections();
      server.close();
      agent.destroy();
    }
  });
});
