import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectClusterRequest } from '@keyhaven/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeClientFactory } from '../src/domain/cluster-access.ts';
import {
  KubeError,
  type KubeApi,
  type KubeClientOptions,
  type KubeTarget,
} from '../src/kube/client.ts';
import { selfSigned } from '../../../scripts/self-signed.ts';
import { engineRefusal, makeEngine, type TestEngine } from './helpers.ts';

/**
 * Issue 27: connecting a cluster checks its credentials through the injected client factory, so
 * each answer of an API server is tested in milliseconds; the real one is in the integration runs.
 */
const pemDir = mkdtempSync(join(tmpdir(), 'keyhaven-pem-'));
const pem = selfSigned(pemDir, 'unit');
const caCertificate = pem.cert;

/** How the fake API server answers, and what the engine asked of it. */
const api = {
  failure: undefined as KubeError | undefined,
  verbs: new Set(['list', 'get', 'update']),
  made: [] as { target: KubeTarget; options: KubeClientOptions }[],
  closed: 0,
};

const unused = async (): Promise<never> => {
  throw new Error('not asked in these tests');
};
const fakeApiServer: KubeClientFactory = (target, options) => {
  api.made.push({ target, options });
  const answer = async <T>(value: T) => {
    if (api.failure) throw api.failure;
    return value;
  };
  const client: KubeApi = {
    version: () => answer('v1.37.2'),
    can: (verb) => answer(api.verbs.has(verb)),
    checkKms: () => answer({ ok: true, text: 'ok' }),
    listSecrets: unused,
    secretNamesPage: unused,
    secretNames: unused,
    countSecrets: unused,
    getSecret: unused,
    replaceSecret: unused,
    close: () => {
      api.closed++;
    },
  };
  return client;
};

const request = (
  name: string,
  over: Partial<ConnectClusterRequest> = {},
): ConnectClusterRequest => ({
  name,
  server: 'https://10.0.0.5:6443',
  caCertificate,
  token: 'sa-token-of-the-cluster',
  ...over,
});

describe('connecting a cluster checks its API server first', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await makeEngine({ secrets: 0, kubeClients: fakeApiServer });
  });
  afterAll(async () => {
    await t.close();
    rmSync(pemDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    api.failure = undefined;
    api.verbs = new Set(['list', 'get', 'update']);
    api.made = [];
    api.closed = 0;
  });

  it('connects with the version the API server gives, under a deadline, and seals the token', async () => {
    const record = await t.engine.connections.connect(t.admin, request('real-1'));
    expect(record).toMatchObject({ name: 'real-1', version: 'v1.37.2', location: '10.0.0.5:6443' });
    expect(record.connection?.sealedToken).not.toContain('sa-token-of-the-cluster');
    expect(api.made).toHaveLength(1);
    expect(api.made[0]?.options.budgetMs).toBe(7_000);
    expect(api.made[0]?.options.signal).toBeInstanceOf(AbortSignal);
    expect(api.closed).toBe(1);
    await t.engine.clusterAccess.client(record);
    expect(api.made[1]?.target).toEqual({
      server: 'https://10.0.0.5:6443',
      caCertificate,
      token: 'sa-token-of-the-cluster',
    });
  });

  it('names the verbs on Secrets the token lacks, and stores nothing', async () => {
    api.verbs = new Set(['list']);
    const err = await engineRefusal(t.engine.connections.connect(t.admin, request('real-2')));
    expect(err).toMatchObject({ status: 400, code: 'CLUSTER_PERMISSION_MISSING' });
    expect(err.message).toContain('may not get, update Secrets in every namespace');
    expect(api.closed).toBe(1);
    expect((await t.engine.clusters.list(t.admin)).map((c) => c.name)).not.toContain('real-2');
  });

  it.each([
    ['UNREACHABLE', 'CLUSTER_UNREACHABLE'],
    ['BAD_CERTIFICATE', 'CLUSTER_CERTIFICATE_UNTRUSTED'],
    ['TOKEN_REFUSED', 'CLUSTER_TOKEN_REFUSED'],
    ['SERVER_ERROR', 'CLUSTER_CHECK_FAILED'],
  ] as const)('answers %s from the API server as %s, naming the server', async (failure, code) => {
    api.failure = new KubeError(failure, `the API server: ${failure}`);
    const err = await engineRefusal(t.engine.connections.connect(t.admin, request('real-3')));
    expect(err).toMatchObject({ status: 400, code, details: { server: 'https://10.0.0.5:6443' } });
    expect(api.closed).toBe(1);
  });

  it('refuses an etcd endpoint at a cloud metadata address before asking anything', async () => {
    const etcd = {
      endpoints: ['https://169.254.169.254:2379'],
      caCertificate,
      clientCertificate: caCertificate,
      clientKey: pem.key,
    };
    const err = await engineRefusal(
      t.engine.connections.connect(t.admin, request('real-4', { etcd })),
    );
    expect(err).toMatchObject({ code: 'CLUSTER_ADDRESS_DENIED' });
    expect(api.made).toEqual([]);
  });

  it('lets only an Administrator of every cluster connect one', async () => {
    const err = await engineRefusal(t.engine.connections.connect(t.viewer, request('real-5')));
    expect(err).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(api.made).toEqual([]);
  });
});
