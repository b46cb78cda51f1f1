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
    const before = state.calls.unwrap;
    await kms.decrypt(ciphertext, keyId, annotations);
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
    expect(await codeOf(kms.decrypt(Buffer.alloc(0), keyId, annotations))).toBe(
      Code.INVALID_ARGUMENT,
    );
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
