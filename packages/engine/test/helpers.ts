import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { KeyState } from '@keyhaven/contracts';
import {
  createEngine,
  loadOrCreateKek,
  seedDemo,
  SoftwareKeyAdapter,
  SqliteStore,
  systemClock,
  type Clock,
  type Engine,
  type KeyAdapter,
  type Principal,
} from '../src/index.ts';
import type { KubeClientFactory } from '../src/domain/cluster-access.ts';
import { EngineError } from '../src/domain/errors.ts';
import type { EtcdAccessOpened, EtcdReader } from '../src/kube/etcd-reader.ts';

export const PASSWORD = 'test-password-1';

export interface TestEngine {
  engine: Engine;
  admin: Principal;
  viewer: Principal;
  /** A second Manager of the demo instances (dual authorization). */
  approver: Principal;
  dir: string;
  /** Moves the engine's clock forward. */
  advance(ms: number): void;
  /** Root keys of the Key Protect demo instance, by name. */
  keys: Map<string, string>;
  close(): Promise<void>;
}

export interface TestEngineOptions {
  secrets?: number;
  adapter?: (store: SqliteStore, dir: string) => KeyAdapter;
  /** The adapter for Hyper Protect Crypto Services instances. */
  hsm?: () => KeyAdapter;
  logStream?: NodeJS.WritableStream;
  mode?: 'seed' | 'new-dek';
  /** Opens the SQLite store (for a store with other limits). */
  store?: (path: string) => SqliteStore;
  /** Builds the clients of connected clusters (a fake API server). */
  kubeClients?: KubeClientFactory;
  /** Builds the readers of connected clusters' etcd (a fake etcd). */
  etcdReaders?: (access: EtcdAccessOpened) => EtcdReader;
}

/** An engine on a fresh SQLite file and the software adapter, seeded with the demo data. */
export async function makeEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const dir = mkdtempSync(join(tmpdir(), 'keyhaven-test-'));
  const path = join(dir, 'store.sqlite');
  const store = options.store?.(path) ?? new SqliteStore(path);
  const keyAdapter =
    options.adapter?.(store, dir) ??
    new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin')));
  let offset = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offset), sleep: systemClock.sleep };
  const logger = options.logStream
    ? pino({ level: 'debug' }, options.logStream)
    : pino({ level: 'silent' });
  const engine = createEngine({
    store,
    keyAdapter,
    hsmAdapter: options.hsm?.(),
    logger,
    clock,
    seeds: { mode: options.mode ?? 'seed' },
    controller: { batchSize: 100, maxRetryDelayMs: 200 },
    ...(options.kubeClients && { kubeClients: options.kubeClients }),
    ...(options.etcdReaders && { etcdReaders: options.etcdReaders }),
  });
  await seedDemo(engine, { password: PASSWORD, bigClusterSecrets: options.secrets ?? 250 });
  await engine.start();
  const login = async (username: string) =>
    engine.iam.authenticate(
      `Bearer ${(await engine.iam.token({ grant_type: 'password', username, password: PASSWORD })).access_token}`,
    );
  const admin = await login('admin');
  const viewer = await login('viewer');
  const approver = await login('approver');
  const keys = new Map((await engine.keys.list(admin, 'kp-us-south')).map((k) => [k.name, k.id]));
  return {
    engine,
    admin,
    viewer,
    approver,
    dir,
    keys,
    advance: (ms) => {
      offset += ms;
    },
    async close() {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const PROD = 'c-prod-us-south';

export function keyId(t: TestEngine, name: string): string {
  const id = t.keys.get(name);
  if (!id) throw new Error(`no demo key ${name}`);
  return id;
}

/** Enables KMS and waits for the job to finish. */
export async function enableAndWait(
  t: TestEngine,
  clusterId: string,
  keyName: string,
  instanceId = 'kp-us-south',
) {
  await t.engine.controller.enable(t.admin, {
    cluster: clusterId,
    instance_id: instanceId,
    crk_id: keyId(t, keyName),
    private_endpoint: true,
  });
  await t.engine.controller.settled(clusterId);
  return t.engine.clusters.get(t.admin, clusterId);
}

export async function readAll(t: TestEngine, clusterId: string) {
  const list = await t.engine.secrets.list(t.admin, clusterId, { limit: 1000 });
  return Promise.all(
    list.items.map((s) => t.engine.secrets.get(t.admin, clusterId, s.namespace, s.name)),
  );
}

export { KeyState };

/** What the promise was refused with, when it is an EngineError (else the test fails). */
export async function engineRefusal(promise: Promise<unknown>): Promise<EngineError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof EngineError)) throw new Error(`expected an EngineError, got ${err}`);
  return err;
}
