import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationPolicy,
  AuthorizationPolicyList,
  Cluster,
  ClusterList,
  KeyPolicy,
  KmsInstance,
  RootKey,
} from '@keyhaven/contracts';
import { selfSigned } from '../../../scripts/self-signed.ts';
import { apiKeyFor, freePort, spawnEngine, type EngineProcess } from '../../engine/test/process.ts';
import { keyhaven } from './cli.ts';

const PASSWORD = 'cli-test-password';
let engine: EngineProcess;
let dir: string;
let adminEnv: Record<string, string>;
let viewerEnv: Record<string, string>;
let adminKey: string;

/** A root key's id by name, through the CLI's own JSON output. */
async function keyId(instance: string, name: string, env = adminEnv): Promise<string> {
  const ls = await keyhaven(
    ['ks', 'kms', 'crk', 'ls', '--instance-id', instance, '--output', 'json'],
    env,
  );
  const key = z
    .array(RootKey)
    .parse(JSON.parse(ls.stdout))
    .find((k) => k.name === name);
  if (!key) throw new Error(`no root key ${name} in ${instance}`);
  return key.id;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keyhaven-cli-'));
  engine = await spawnEngine(
    {
      KEYHAVEN_DATA_DIR: join(dir, 'engine'),
      KEYHAVEN_DEMO_PASSWORD: PASSWORD,
      KEYHAVEN_DEMO_SECRETS: '3000',
      KEYHAVEN_JOB_BATCH_SIZE: '100',
      KEYHAVEN_JOB_PAUSE_MS: '5',
      KEYHAVEN_LOG_LEVEL: 'warn',
    },
    await freePort(),
  );
  adminKey = await apiKeyFor(engine.url, 'admin', PASSWORD);
  adminEnv = { KEYHAVEN_CONFIG_DIR: join(dir, 'admin'), KEYHAVEN_API_URL: engine.url };
  viewerEnv = { KEYHAVEN_CONFIG_DIR: join(dir, 'viewer'), KEYHAVEN_API_URL: engine.url };
  const login = await keyhaven(['login', '--apikey', adminKey], adminEnv);
  expect(login.code, login.stderr).toBe(0);
});

afterAll(async () => {
  engine?.child.kill('SIGTERM');
  await engine?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('keyhaven, the seeds’ command-line flow against a real engine', () => {
  it('keeps the session in a 0600 config file in a 0700 folder, with the API key never printed', async () => {
    expect(statSync(join(dir, 'admin')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'admin', 'config.json')).mode & 0o777).toBe(0o600);
    const again = await keyhaven(['login', '--apikey', adminKey], adminEnv);
    expect(again.stdout).toMatch(/Logged in as admin/);
    expect(again.stdout + again.stderr).not.toContain(adminKey);
  });

  it('instance ls → crk ls → enable → cluster get until Ready and enabled', async () => {
    const instances = await keyhaven(['ks', 'kms', 'instance', 'ls'], adminEnv);
    expect(instances.code).toBe(0);
    expect(instances.stdout).toMatch(/Name\s+ID\s+Region\s+Service/);
    expect(instances.stdout).toMatch(/keyhaven-key-protect\s+kp-us-south\s+us-south\s+Key Protect/);

    const keys = await keyhaven(
      ['ks', 'kms', 'crk', 'ls', '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/Name\s+ID\s+State\s+Origin\s+Expires/);
    expect(keys.stdout).toMatch(/disabled-root-key\s+\S+\s+Disabled/);
    // A key that expires within 30 days says so, as the console does (issue 30).
    expect(keys.stdout).toMatch(
      /expiring-root-key\s+\S+\s+Active\s+Keyhaven\s+\S+ \(expires in \d+ days?\)/,
    );
    expect(keys.stdout).toMatch(/cluster-root-key-1\s+\S+\s+Active\s+Keyhaven\s+never/);
    const crk = await keyId('kp-us-south', 'cluster-root-key-1');

    const enable = await keyhaven(
      ['ks', 'kms', 'enable', '-c', 'dev-us-east', '--instance-id', 'kp-us-south', '--crk', crk],
      adminEnv,
    );
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.stdout.trim().split('\n').at(-1)).toBe('OK');

    let get = await keyhaven(['ks', 'cluster', 'get', '-c', 'dev-us-east'], adminEnv);
    for (let i = 0; i < 100 && !/Master Status:\s+Ready/.test(get.stdout); i++) {
      await new Promise((r) => setTimeout(r, 100));
      get = await keyhaven(['ks', 'cluster', 'get', '-c', 'dev-us-east'], adminEnv);
    }
    expect(get.stdout).toMatch(/^Name:\s+dev-us-east$/m);
    expect(get.stdout).toMatch(/^ID:\s+c-dev-us-east$/m);
    expect(get.stdout).toMatch(/^Master Status:\s+Ready \((just now|\d+ min ago)\)$/m);
    expect(get.stdout).toMatch(/^Key Management Service:\s+enabled$/m);
    expect(get.stdout).toMatch(/^Root Key:\s+cluster-root-key-1 /m);
    expect(get.stdout).toMatch(/^KMS Endpoint:\s+private$/m);
  });

  it('prints each listing and cluster get as the API shapes with --output json', async () => {
    const json = async (args: string[]) => {
      const result = await keyhaven([...args, '--output', 'json'], adminEnv);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as unknown;
    };
    expect(z.array(KmsInstance).parse(await json(['ks', 'kms', 'instance', 'ls']))).not.toEqual([]);
    expect(
      z
        .array(RootKey)
        .parse(await json(['ks', 'kms', 'crk', 'ls', '--instance-id', 'kp-us-south'])),
    ).not.toEqual([]);
    expect(ClusterList.parse(await json(['ks', 'cluster', 'ls'])).map((c) => c.name)).toContain(
      'prod-us-south',
    );
    expect(Cluster.parse(await json(['ks', 'cluster', 'get', '-c', 'c-dev-us-east'])).name).toBe(
      'dev-us-east',
    );
    expect(
      z.array(RootKey).parse(await json(['kp', 'keys', 'ls', '--instance-id', 'hpcs-us-south'])),
    ).not.toEqual([]);
  });

  it('follows the enablement to Ready with --wait, printing progress lines off a terminal', async () => {
    const crk = await keyId('kp-us-south', 'cluster-root-key-2');
    const wait = await keyhaven(
      [
        'ks',
        'kms',
        'enable',
        '-c',
        'prod-us-south',
        '--instance-id',
        'kp-us-south',
        '--crk',
        crk,
        '--public-endpoint',
        '--wait',
      ],
      adminEnv,
    );
    expect(wait.code, wait.stderr).toBe(0);
    expect(wait.stdout).toMatch(/KMS feature enablement in progress\. [\d,]+ of 3,000 secrets/);
    expect(wait.stdout).toMatch(/^Master Status:\s+Ready/m);
    expect(wait.stdout).toMatch(/^KMS Endpoint:\s+public$/m);
  });

  it('refuses a root key the cluster used before, with the engine’s reason', async () => {
    const next = await keyId('kp-us-south', 'cluster-root-key-3');
    const update = await keyhaven(
      [
        'ks',
        'kms',
        'enable',
        '-c',
        'dev-us-east',
        '--instance-id',
        'kp-us-south',
        '--crk',
        next,
        '--wait',
        '-q',
      ],
      adminEnv,
    );
    expect(update.code, update.stderr).toBe(0);
    const used = await keyId('kp-us-south', 'cluster-root-key-1');
    const again = await keyhaven(
      ['ks', 'kms', 'enable', '-c', 'dev-us-east', '--instance-id', 'kp-us-south', '--crk', used],
      adminEnv,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^FAILED$/m);
    expect(again.stderr).toMatch(/was used by this cluster before and cannot be used again/);
  });

  it('refuses a viewer’s enable, naming the Administrator role (password login from stdin)', async () => {
    const login = await keyhaven(['login', '--username', 'viewer'], viewerEnv, `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const crk = await keyId('kp-us-south', 'cluster-root-key-3', viewerEnv);
    const enable = await keyhaven(
      [
        'ks',
        'kms',
        'enable',
        '-c',
        'staging-us-south',
        '--instance-id',
        'kp-us-south',
        '--crk',
        crk,
      ],
      viewerEnv,
    );
    expect(enable.code).toBe(1);
    expect(enable.stderr).toMatch(/Administrator/);
  });

  it('enables with a KMS instance of another account through --kms-account-id (R11)', async () => {
    const crk = await keyId('kp-partner-eu-de', 'partner-root-key-1');
    const args = [
      'ks',
      'kms',
      'enable',
      '-c',
      'staging-us-south',
      '--instance-id',
      'kp-partner-eu-de',
      '--crk',
      crk,
    ];
    const without = await keyhaven(args, adminEnv);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/account_id=acct-partner/);
    const cross = await keyhaven(
      [...args, '--kms-account-id', 'acct-partner', '--wait', '--output', 'json'],
      adminEnv,
    );
    expect(cross.code, cross.stderr).toBe(0);
    const cluster = Cluster.parse(JSON.parse(cross.stdout));
    expect(cluster.kms).toMatchObject({
      instanceId: 'kp-partner-eu-de',
      accountId: 'acct-partner',
    });
  });

  it('manages root keys: create, rotate, disable, enable, and delete a key in use only with --force', async () => {
    const created = await keyhaven(
      [
        'kp',
        'keys',
        'create',
        'cli-made-key',
        '--instance-id',
        'kp-us-south',
        '--expiration-date',
        '2099-06-30',
        '--output',
        'json',
      ],
      adminEnv,
    );
    expect(created.code, created.stderr).toBe(0);
    const key = RootKey.parse(JSON.parse(created.stdout));
    expect(key.expirationDate).toBe('2099-06-30T00:00:00.000Z');
    for (const action of ['rotate', 'disable', 'enable']) {
      const done = await keyhaven(
        ['kp', 'keys', action, key.id, '--instance-id', 'kp-us-south'],
        adminEnv,
      );
      expect(done.code, done.stderr).toBe(0);
    }
    const rotated = await keyhaven(
      ['kp', 'keys', 'ls', '--instance-id', 'kp-us-south', '--output', 'json'],
      adminEnv,
    );
    expect(
      z
        .array(RootKey)
        .parse(JSON.parse(rotated.stdout))
        .find((k) => k.id === key.id)?.versions,
    ).toHaveLength(2);

    const inUse = await keyId('kp-us-south', 'cluster-root-key-3');
    // Disabling a key in use is refused without --force, naming the clusters it would break.
    const disableRefused = await keyhaven(
      ['kp', 'keys', 'disable', inUse, '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(disableRefused.code).toBe(1);
    expect(disableRefused.stderr).toMatch(
      /Root key cluster-root-key-3 is used by dev-us-east\. Disabling it makes their secrets unreadable.*--force/,
    );
    const stillActive = await keyhaven(
      ['kp', 'keys', 'ls', '--instance-id', 'kp-us-south', '--output', 'json'],
      adminEnv,
    );
    expect(
      z
        .array(RootKey)
        .parse(JSON.parse(stillActive.stdout))
        .find((k) => k.id === inUse)?.state,
    ).toBe(1);
    for (const args of [['disable', '--force'], ['enable']]) {
      const forcedAction = await keyhaven(
        [
          'kp',
          'keys',
          ...args.slice(0, 1),
          inUse,
          '--instance-id',
          'kp-us-south',
          ...args.slice(1),
        ],
        adminEnv,
      );
      expect(forcedAction.code, forcedAction.stderr).toBe(0);
    }
    const refused = await keyhaven(
      ['kp', 'keys', 'delete', inUse, '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/used by dev-us-east.*--force/);
    const forced = await keyhaven(
      ['kp', 'keys', 'delete', inUse, '--instance-id', 'kp-us-south', '--force'],
      adminEnv,
    );
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/Deleted root key cluster-root-key-3/);
    const get = await keyhaven(['ks', 'cluster', 'get', '-c', 'dev-us-east'], adminEnv);
    expect(get.stdout).toMatch(/^State:\s+critical$/m);
  });

  it('sets, shows and disables a root key’s rotation policy, refusing a bad interval', async () => {
    const id = await keyId('kp-us-south', 'cluster-root-key-2');
    const set = await keyhaven(
      [
        'kp',
        'key',
        'policy-update',
        'rotation',
        id,
        '--instance-id',
        'kp-us-south',
        '--interval-month',
        '3',
      ],
      adminEnv,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/rotation\s+yes\s+3 months\s+admin/);
    const listed = await keyhaven(
      ['kp', 'key', 'policies', id, '--instance-id', 'kp-us-south', '--output', 'json'],
      adminEnv,
    );
    expect(z.array(KeyPolicy).parse(JSON.parse(listed.stdout))[0]?.rotation).toEqual({
      enabled: true,
      interval_month: 3,
    });
    const shown = await keyhaven(
      ['kp', 'keys', 'ls', '--instance-id', 'kp-us-south', '--output', 'json'],
      adminEnv,
    );
    const key = z
      .array(RootKey)
      .parse(JSON.parse(shown.stdout))
      .find((k) => k.id === id);
    expect(Date.parse(key?.nextRotationDate ?? '')).toBeGreaterThan(Date.now());
    for (const bad of [['--interval-month', '13'], ['--interval-month', 'x'], []]) {
      const refused = await keyhaven(
        ['kp', 'key', 'policy-update', 'rotation', id, '--instance-id', 'kp-us-south', ...bad],
        adminEnv,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/interval-month/);
    }
    const off = await keyhaven(
      ['kp', 'key', 'policy-update', 'rotation', id, '--instance-id', 'kp-us-south', '--disable'],
      adminEnv,
    );
    expect(off.stdout).toMatch(/rotation\s+no\s+3 months/);
    const viewer = await keyhaven(
      [
        'kp',
        'key',
        'policy-update',
        'rotation',
        id,
        '--instance-id',
        'kp-us-south',
        '--interval-month',
        '1',
      ],
      viewerEnv,
    );
    expect(viewer.code).toBe(1);
    expect(viewer.stderr).toMatch(/Manager/);
  });

  it('deletes a key under dual authorization with two Managers: admin authorizes, approver deletes', async () => {
    const id = await keyId('kp-us-south', 'expiring-root-key');
    const on = await keyhaven(
      ['kp', 'key', 'policy-update', 'dual-auth-delete', id, '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/dual authorization to delete\s+yes/);
    const alone = await keyhaven(
      ['kp', 'keys', 'delete', id, '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(alone.code).toBe(1);
    expect(alone.stderr).toMatch(/needs two Managers/);
    const authorized = await keyhaven(
      ['kp', 'key', 'schedule-delete', id, '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(authorized.stdout).toMatch(/Authorized the deletion of root key/);
    const same = await keyhaven(
      ['kp', 'keys', 'delete', id, '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/another Manager must delete it/);
    const approverEnv = {
      KEYHAVEN_CONFIG_DIR: join(dir, 'approver'),
      KEYHAVEN_API_URL: engine.url,
    };
    const login = await keyhaven(['login', '--username', 'approver'], approverEnv, `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    const deleted = await keyhaven(
      ['kp', 'keys', 'delete', id, '--instance-id', 'kp-us-south', '--output', 'json'],
      approverEnv,
    );
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(RootKey.parse(JSON.parse(deleted.stdout)).state).toBe(5);
  });

  it('names a root key by an alias made with alias-create, until alias-delete', async () => {
    const id = await keyId('kp-us-south', 'cluster-root-key-2');
    const alias = ['--alias', 'cli-alias', '--instance-id', 'kp-us-south'];
    const made = await keyhaven(['kp', 'key', 'alias-create', id, ...alias], adminEnv);
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`Added the alias cli-alias to root key ${id}.`);
    const byAlias = await keyhaven(
      ['kp', 'key', 'policies', 'cli-alias', '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(byAlias.code, byAlias.stderr).toBe(0);
    const bad = await keyhaven(
      ['kp', 'key', 'alias-create', id, '--alias', 'x', '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/alias/);
    const removed = await keyhaven(['kp', 'key', 'alias-delete', id, ...alias], adminEnv);
    expect(removed.stdout).toContain('Removed the alias cli-alias');
    const gone = await keyhaven(
      ['kp', 'key', 'policies', 'cli-alias', '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(gone.code).toBe(1);
  });

  it('imports a key file with kp keys create --import, making the import token itself', async () => {
    const file = join(dir, 'byok.key');
    const material = Buffer.alloc(32, 0x3c);
    writeFileSync(file, `${material.toString('base64')}\n`, { mode: 0o600 });
    const made = await keyhaven(
      ['kp', 'import-token', 'create', '--instance-id', 'kp-us-south', '--max-retrievals', '2'],
      adminEnv,
    );
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/Retrievals left:\s+2 of 2/);
    const shown = await keyhaven(
      ['kp', 'import-token', 'show', '--instance-id', 'kp-us-south', '--output', 'json'],
      adminEnv,
    );
    expect(JSON.parse(shown.stdout)).toMatchObject({ remainingRetrievals: 1 });
    const create = (name: string) =>
      keyhaven(
        [
          'kp',
          'keys',
          'create',
          name,
          '--import',
          file,
          '--instance-id',
          'kp-us-south',
          '--output',
          'json',
        ],
        adminEnv,
      );
    const first = await create('cli-imported');
    expect(first.code, first.stderr).toBe(0);
    expect(RootKey.parse(JSON.parse(first.stdout))).toMatchObject({ imported: true });
    // The token is used: the next import makes a fresh one by itself.
    const second = await create('cli-imported-2');
    expect(second.code, second.stderr).toBe(0);
    for (const out of [made, shown, first, second])
      expect(out.stdout + out.stderr).not.toContain(material.toString('base64'));
    writeFileSync(file, 'not a key\n');
    const bad = await create('cli-imported-3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/16, 24 or 32 bytes/);
    const outOfRange = await keyhaven(
      ['kp', 'import-token', 'create', '--instance-id', 'kp-us-south', '--expiration', '60'],
      adminEnv,
    );
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toMatch(/expiration/);
  });

  it('invites a user, grants Manager, lists and removes them with iam user and access-policy', async () => {
    const invited = await keyhaven(
      ['iam', 'user', 'invite', 'cli-manager'],
      adminEnv,
      'cli-manager-first-pass\n',
    );
    expect(invited.code, invited.stderr).toBe(0);
    expect(invited.stdout).toMatch(/Invited cli-manager \(user-/);
    expect(invited.stdout + invited.stderr).not.toContain('cli-manager-first-pass');
    const granted = await keyhaven(
      ['iam', 'access-policy', 'create', 'cli-manager', 'Manager', '--instance-id', 'kp-us-south'],
      adminEnv,
    );
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toMatch(/cli-manager\s+Manager\s+kms\s+kp-us-south/);
    const listed = await keyhaven(['iam', 'user', 'ls'], adminEnv);
    expect(listed.stdout).toMatch(/cli-manager\s+user-\S+\s+Manager on kp-us-south/);
    const mismatch = await keyhaven(
      [
        'iam',
        'access-policy',
        'create',
        'cli-manager',
        'Administrator',
        '--instance-id',
        'kp-us-south',
      ],
      adminEnv,
    );
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/service role/);
    const policies = await keyhaven(
      ['iam', 'access-policy', 'ls', '--user', 'cli-manager', '--output', 'json'],
      adminEnv,
    );
    const [policy] = JSON.parse(policies.stdout) as { id: string }[];
    const revoked = await keyhaven(['iam', 'access-policy', 'delete', policy?.id ?? ''], adminEnv);
    expect(revoked.code, `${policies.stdout}${revoked.stderr}`).toBe(0);
    expect(revoked.stdout).toContain('Revoked access policy');
    await keyhaven(['login', '--username', 'viewer'], viewerEnv, `${PASSWORD}\n`);
    const viewerTries = await keyhaven(['iam', 'user', 'ls'], viewerEnv);
    expect(viewerTries.code).toBe(1);
    expect(viewerTries.stderr).toMatch(/Administrator/);
    const removed = await keyhaven(['iam', 'user', 'remove', 'cli-manager'], adminEnv);
    expect(removed.stdout).toContain('Removed cli-manager from the account.');
    const last = await keyhaven(['iam', 'user', 'remove', 'admin'], adminEnv);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/last Administrator/);
  });

  it('answers a bad flag with exit code 2 and the usage, and --help with an example', async () => {
    const bad = await keyhaven(
      ['ks', 'kms', 'enable', '-c', 'x', '--instance-id', 'y', '--crk', 'z', '--bogus'],
      adminEnv,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
    expect(bad.stderr).toMatch(/Usage: keyhaven ks kms enable/);
    const help = await keyhaven(['ks', 'cluster', 'get', '--help'], adminEnv);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}keyhaven ks cluster get -c prod-us-south/);
    const completion = await keyhaven(['completion', 'bash'], adminEnv);
    expect(completion.stdout).toMatch(/complete -F _keyhaven keyhaven/);
    expect(completion.stdout).toContain('"ks kms") words="instance crk enable');
  });

  it('lists, creates and deletes service authorizations with iam authorization-policy', async () => {
    const ls = async () => {
      const listed = await keyhaven(
        ['iam', 'authorization-policy', 'ls', '--output', 'json'],
        adminEnv,
      );
      expect(listed.code, listed.stderr).toBe(0);
      return AuthorizationPolicyList.parse(JSON.parse(listed.stdout));
    };
    const own = (await ls()).find((p) => p.target.instanceId === 'kp-us-south');
    expect(own?.dependents.map((d) => d.name)).toContain('prod-us-south');
    const refused = await keyhaven(
      ['iam', 'authorization-policy', 'delete', own?.id ?? ''],
      adminEnv,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/prod-us-south.*--force/);

    const bad = await keyhaven(
      ['iam', 'authorization-policy', 'create', 'containers-kubernetes', 'key-protect', 'Writer'],
      adminEnv,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/roles: must include Reader/);
    const created = await keyhaven(
      [
        'iam',
        'authorization-policy',
        'create',
        'containers-kubernetes',
        'key-protect',
        'Reader,Writer',
        '--source-service-account',
        'acct-partner',
        '--output',
        'json',
      ],
      adminEnv,
    );
    expect(created.code, created.stderr).toBe(0);
    const policy = AuthorizationPolicy.parse(JSON.parse(created.stdout));
    expect(policy).toMatchObject({
      source: { accountId: 'acct-partner' },
      roles: ['Reader', 'Writer'],
    });
    const table = await keyhaven(['iam', 'authorization-policy', 'ls'], adminEnv);
    expect(table.stdout).toMatch(
      /Kubernetes Service \(account acct-partner\)\s+Key Protect: all instances/,
    );
    const deleted = await keyhaven(['iam', 'authorization-policy', 'delete', policy.id], adminEnv);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await ls()).some((p) => p.id === policy.id)).toBe(false);
  });

  it('connects a cluster with the token from a file or stdin, and says why it could not', async () => {
    const ca = selfSigned(dir, 'cli-test').certFile;
    const base = ['ks', 'cluster', 'connect', '--name', 'real', '--ca-file', ca];
    const closed = `https://127.0.0.1:${await freePort()}`;
    const unreachable = await keyhaven(
      [...base, '--server', closed, '--token-file', '-'],
      adminEnv,
      'sa-token-from-stdin\n',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`the API server at ${closed} cannot be reached`);
    expect(unreachable.stderr + unreachable.stdout).not.toContain('sa-token-from-stdin');
    const missing = await keyhaven(
      [...base, '--server', closed, '--token-file', join(dir, 'nope')],
      adminEnv,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--token-file ${join(dir, 'nope')} cannot be read (ENOENT)`);
    const halfEtcd = await keyhaven(
      [
        ...base,
        '--server',
        closed,
        '--token-file',
        ca,
        '--etcd-endpoints',
        'https://127.0.0.1:2379',
      ],
      adminEnv,
    );
    expect(halfEtcd.code).toBe(2);
    expect(halfEtcd.stderr).toContain('etcd access needs all of --etcd-endpoints');
    const demo = await keyhaven(['ks', 'cluster', 'disconnect', '-c', 'dev-us-east'], adminEnv);
    expect(demo.code).toBe(1);
    expect(demo.stderr).toContain('demo cluster; it cannot be disconnected');
  });

  it('logs out by revoking the token: the old token no longer works', async () => {
    const config = JSON.parse(readFileSync(join(dir, 'viewer', 'config.json'), 'utf8')) as {
      token: string;
    };
    const out = await keyhaven(['logout'], viewerEnv);
    expect(out.code).toBe(0);
    const after = await keyhaven(['ks', 'cluster', 'ls'], viewerEnv);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/not logged in/);
    const res = await fetch(`${engine.url}/v2/clusters`, {
      headers: { authorization: `Bearer ${config.token}` },
    });
    expect(res.status).toBe(401);
  });
});
