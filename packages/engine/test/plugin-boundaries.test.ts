import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreKey, type ClusterRecord } from '../src/domain/records.ts';
import type { Principal } from '../src/index.ts';
import { keyId, makeEngine, type TestEngine } from './helpers.ts';

/**
 * Issue 25, findings 1 and 3, on a real SQLite store with the engine's clock moved by the test:
 * registrations of KMS plug-ins cannot be taken from a key by someone without Writer there or
 * from another account, and a plug-in that fell silent is shown so and can be removed.
 */
let t: TestEngine;
const partner: Principal = {
  id: 'user-partner-admin',
  username: 'partner-admin',
  accountId: 'acct-partner',
  platformRoles: [],
  serviceRoles: [{ instanceId: 'kp-partner-eu-de', role: 'Manager' }],
};

const registrations = async (id: string) =>
  ((await t.engine.keys.record(id)).plugins ?? []).map((p) => p.resource);

/** A connected cluster as the store holds it (its API server is never called here). */
async function connectedCluster(id: string): Promise<void> {
  const now = new Date().toISOString();
  const record: ClusterRecord = {
    id,
    name: id,
    region: 'connected',
    location: '127.0.0.1:6443',
    version: 'v1.37.2',
    accountId: 'acct-demo',
    createdDate: now,
    status: { message: 'Ready', health: 'normal', modifiedDate: now },
    kms: null,
    previousCrkIds: [],
    connection: {
      server: 'https://127.0.0.1:6443',
      caCertificate: '',
      sealedToken: 'unused',
      connectedAt: now,
    },
  };
  await t.engine.ctx.store.txn(
    [],
    [{ type: 'put', key: StoreKey.cluster(id), value: Buffer.from(JSON.stringify(record)) }],
  );
}

beforeAll(async () => {
  t = await makeEngine({ secrets: 0 });
});
afterAll(() => t.close());

describe('registrations of KMS plug-ins', () => {
  it('moves a registration to another key only with Writer on the earlier one, noting it on both', async () => {
    const [a, b] = [keyId(t, 'cluster-root-key-1'), keyId(t, 'cluster-root-key-2')];
    const { pluginRegistrations: registry } = t.engine;
    await registry.register(t.admin, 'kp-us-south', a, 'prod-east', {});
    await expect(
      registry.register(t.viewer, 'kp-us-south', b, 'prod-east', {}),
    ).rejects.toMatchObject({ status: 403, message: expect.stringMatching(/Writer service role/) });
    expect(await registrations(a)).toEqual(['prod-east']);
    expect(await registrations(b)).toEqual([]);
    await registry.register(t.admin, 'kp-us-south', b, 'prod-east', {});
    expect(await registrations(a)).toEqual([]);
    expect(await registrations(b)).toEqual(['prod-east']);
    const onA = await t.engine.activity.list('key', a);
    expect(onA[0]?.message).toMatch(
      /moved from root key cluster-root-key-1 to root key cluster-root-key-2/,
    );
  });

  it('keeps another account’s resource of the same name apart from this one', async () => {
    const b = keyId(t, 'cluster-root-key-2');
    const theirs = await t.engine.keys.create(partner, 'kp-partner-eu-de', { name: 'partner-key' });
    await t.engine.pluginRegistrations.register(
      partner,
      'kp-partner-eu-de',
      theirs.id,
      'prod-east',
      {},
    );
    expect(await registrations(theirs.id)).toEqual(['prod-east']);
    expect(await registrations(b)).toEqual(['prod-east']);
    // The demo key still needs force to delete: its registration is where it was.
    await expect(
      t.engine.keyLifecycle.delete(t.admin, 'kp-us-south', b, false),
    ).rejects.toMatchObject({
      status: 409,
    });
  });
});

describe('a KMS plug-in that fell silent', () => {
  it('is shown stale after 5 minutes, and an Administrator removes it and revokes its API key', async () => {
    const id = 'kc-silent-plugin';
    await connectedCluster(id);
    const setup = await t.engine.pluginIdentities.pluginSetup(t.admin, id, 'http://127.0.0.1:8081');
    const apikey = /API_KEY: "([^"]+)"/.exec(setup.pluginConfig)?.[1] ?? '';
    const bearer = async () =>
      `Bearer ${(await t.engine.iam.token({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey })).access_token}`;
    const plugin = await t.engine.iam.authenticate(await bearer());
    await t.engine.pluginReports.report(plugin, id, { resource: 'apiserver-2', healthz: 'ok' });
    const plugins = async () =>
      (await t.engine.clusters.get(t.admin, id)).connection?.plugins.map((p) => p.stale);
    expect(await plugins()).toEqual([false]);
    await expect(
      t.engine.pluginReports.removeReport(t.admin, id, 'apiserver-2'),
    ).rejects.toMatchObject({ status: 409, code: 'PLUGIN_REPORTING' });
    t.advance(6 * 60_000);
    expect(await plugins()).toEqual([true]);
    await expect(
      t.engine.pluginReports.removeReport(t.viewer, id, 'apiserver-2'),
    ).rejects.toMatchObject({ status: 403 });
    await t.engine.pluginReports.removeReport(t.admin, id, 'apiserver-2');
    expect(await plugins()).toEqual([]);
    await expect(bearer()).rejects.toMatchObject({ status: 401 });
    const activity = await t.engine.activity.list('cluster', id);
    expect(activity[0]).toMatchObject({
      action: 'cluster.plugin-remove',
      actor: 'admin',
      message: expect.stringMatching(
        /Removed KMS plug-in apiserver-2, silent since .*revoked its API key/,
      ),
    });
  });
});

describe('what a KMS plug-in reports, in the audit log', () => {
  it('notes what is new, not its periodic report, and each kind of refusal once a minute', async () => {
    const id = 'kc-reporting-plugin';
    await connectedCluster(id);
    const setup = await t.engine.pluginIdentities.pluginSetup(t.admin, id, 'http://127.0.0.1:8081');
    const apikey = /API_KEY: "([^"]+)"/.exec(setup.pluginConfig)?.[1] ?? '';
    const plugin = await t.engine.iam.authenticate(
      `Bearer ${(await t.engine.iam.token({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey })).access_token}`,
    );
    const reports = async () =>
      (await t.engine.activity.audit('acct-demo', { targetId: id, limit: 100 })).entries.filter(
        (e) => e.action === 'cluster.plugin-report',
      );
    await t.engine.pluginReports.report(plugin, id, { resource: 'apiserver-1', healthz: 'ok' });
    await t.engine.pluginReports.report(plugin, id, { resource: 'apiserver-1', healthz: 'ok' });
    expect(await reports()).toEqual([
      expect.objectContaining({
        actor: 'kms-plugin apiserver-1',
        result: 'success',
        accountId: 'acct-demo',
        message: 'KMS plug-in apiserver-1 reported health ok.',
      }),
    ]);
    const forged = { resource: 'apiserver-1', healthz: 'ok', encryptKeyId: 'not-a-key-id' };
    for (let i = 0; i < 3; i++)
      await expect(t.engine.pluginReports.report(plugin, id, forged)).rejects.toMatchObject({
        code: 'KEY_ID_NOT_MINTED',
      });
    const refused = (await reports()).filter((e) => e.result === 'failure');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.message).toMatch(
      /^Refused a report of KMS plug-in apiserver-1: encryptKeyId/,
    );
    t.advance(61_000);
    await expect(t.engine.pluginReports.report(plugin, id, forged)).rejects.toMatchObject({
      code: 'KEY_ID_NOT_MINTED',
    });
    expect((await reports()).filter((e) => e.result === 'failure')).toHaveLength(2);
  });
});
