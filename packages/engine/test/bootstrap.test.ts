import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAIN_ACCOUNT,
  MAIN_INSTANCE,
  SoftwareKeyAdapter,
  SqliteStore,
  bootstrapAccount,
  createEngine,
  loadOrCreateKek,
  systemClock,
  type Engine,
} from '../src/index.ts';
import { makeEngine, type TestEngine } from './helpers.ts';

/**
 * Issue 26: an installation without demo data (the Helm chart's default) starts with its account,
 * a Key Protect instance and a first administrator who can log in, once.
 */
const PASSWORD = 'first-admin-password';
const options = { password: PASSWORD, accountName: 'Platform team', region: 'eu-de' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function emptyEngine(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'keyhaven-bootstrap-'));
  const store = new SqliteStore(join(dir, 'store.sqlite'));
  const engine = createEngine({
    store,
    keyAdapter: new SoftwareKeyAdapter(store, loadOrCreateKek(join(dir, 'kek.bin'))),
    logger: pino({ level: 'silent' }),
    clock: systemClock,
  });
  cleanups.push(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return engine;
}

const adminOf = async (engine: Engine, password = PASSWORD) =>
  engine.iam.authenticate(
    `Bearer ${(await engine.iam.token({ grant_type: 'password', username: 'admin', password })).access_token}`,
  );

describe('the first start without demo data', () => {
  it('makes the account, its instance and an administrator who logs in, once', async () => {
    const engine = emptyEngine();
    expect(await bootstrapAccount(engine, options)).toBe(true);
    const admin = await adminOf(engine);
    expect(admin.accountId).toBe(MAIN_ACCOUNT);
    expect(await engine.keys.listInstances(admin)).toEqual([
      expect.objectContaining({ id: MAIN_INSTANCE, region: 'eu-de', accountId: MAIN_ACCOUNT }),
    ]);
    // A later start changes nothing, a new password in the file included.
    expect(await bootstrapAccount(engine, { ...options, password: 'another-password' })).toBe(
      false,
    );
    await expect(adminOf(engine, 'another-password')).rejects.toThrow();
    expect(await engine.ctx.store.count('/keyhaven/users/')).toBe(1);
  });

  it('writes once when two replicas start together', async () => {
    const engine = emptyEngine();
    const made = await Promise.all([
      bootstrapAccount(engine, options),
      bootstrapAccount(engine, options),
    ]);
    expect(made.filter(Boolean)).toHaveLength(1);
    expect((await adminOf(engine)).accountId).toBe(MAIN_ACCOUNT);
  });

  it('does nothing beside accounts already there (demo data)', async () => {
    const t: TestEngine = await makeEngine({ secrets: 0 });
    cleanups.push(() => t.close());
    expect(await bootstrapAccount(t.engine, options)).toBe(false);
    expect(await t.engine.ctx.store.get(`/keyhaven/accounts/${MAIN_ACCOUNT}`)).toBeUndefined();
  });
});
