import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyState, MASTER_STATUS_ENABLING } from '@keyhaven/contracts';
import { EngineError, StoreKey, parseKmsPrefix } from '../src/index.ts';
import {
  PROD,
  enableAndWait,
  keyId,
  makeEngine,
  readAll,
  type TestEngine,
  type TestEngineOptions,
} from './helpers.ts';

const rejects = async (promise: Promise<unknown>, status: number, code: string) => {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EngineError);
  expect({ status: (err as EngineError).status, code: (err as EngineError).code }).toEqual({
    status,
    code,
  });
  return err as EngineError;
};

/** The rules R1-R14 as the engine's callers see them; run against every key adapter. */
export function rulesSuite(label: string, options: TestEngineOptions = {}) {
  describe(`rules R1-R14 (${label})`, () => {
    let t: TestEngine;
    beforeEach(async () => {
      t = await makeEngine(options);
    });
    afterEach(async () => {
      await t.close();
    });

    it('R1: one KMS provider per cluster; enabling is asynchronous, in progress until every secret is encrypted, then Ready', async () => {
      const accepted = await t.engine.controller.enable(t.admin, {
        cluster: PROD,
        instance_id: 'kp-us-south',
        crk_id: keyId(t, 'cluster-root-key-1'),
        private_endpoint: true,
      });
      expect(accepted.cluster.masterStatus).toBe(MASTER_STATUS_ENABLING);
      expect(accepted.cluster.masterHealth).toBe('in_progress');
      expect(accepted.cluster.enablement?.progress).toEqual({ done: 0, total: 250 });
      await t.engine.controller.settled(PROD);
      const cluster = await t.engine.clusters.get(t.admin, PROD);
      expect(cluster.masterStatus).toBe('Ready');
      expect(cluster.features.keyProtectEnabled).toBe(true);
      expect(cluster.kms?.crkName).toBe('cluster-root-key-1');
      expect(cluster.enablement).toMatchObject({
        state: 'succeeded',
        progress: { done: 250, total: 250 },
      });
      const list = await t.engine.secrets.list(t.admin, PROD, { limit: 1000 });
      expect(list.items.every((s) => s.encrypted)).toBe(true);
    });

    it('R2: while enablement runs, secret writes get a retryable 503 and reads keep working', async () => {
      await t.engine.controller.enable(t.admin, {
        cluster: PROD,
        instance_id: 'kp-us-south',
        crk_id: keyId(t, 'cluster-root-key-1'),
        private_endpoint: true,
      });
      const err = await rejects(
        t.engine.secrets.write(
          t.admin,
          PROD,
          { namespace: 'default', name: 'new-one', type: 'Opaque', data: { a: 'YQ==' } },
          'create',
        ),
        503,
        'ENABLEMENT_IN_PROGRESS',
      );
      expect(err.retryAfter).toBeGreaterThan(0);
      await rejects(
        t.engine.secrets.delete(t.admin, PROD, 'default', 'app-secret-00000'),
        503,
        'ENABLEMENT_IN_PROGRESS',
      );
      const read = await t.engine.secrets.get(t.admin, PROD, 'default', 'app-secret-00000');
      expect(Buffer.from(read.data.password ?? '', 'base64').toString()).toBe(
        `demo-value-${PROD}-0`,
      );
      await t.engine.controller.settled(PROD);
      await t.engine.secrets.write(
        t.admin,
        PROD,
        { namespace: 'default', name: 'new-one', type: 'Opaque', data: { a: 'YQ==' } },
        'create',
      );
    });

    it('R3: after enablement existing and new secrets are stored with the KMS prefix and are unreadable without the root key', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      await t.engine.secrets.write(
        t.admin,
        PROD,
        {
          namespace: 'web',
          name: 'fresh',
          type: 'Opaque',
          data: { token: Buffer.from('s3cr3t-value').toString('base64') },
        },
        'create',
      );
      for (const name of ['default/app-secret-00000', 'web/fresh']) {
        const kv = await t.engine.ctx.store.get(`/clusters/${PROD}/registry/secrets/${name}`);
        expect(kv?.value.subarray(0, 27).toString()).toBe('k8s:enc:kms:v2:key-protect:');
        expect(kv?.value.includes(Buffer.from('s3cr3t-value'))).toBe(false);
        expect(kv?.value.includes(Buffer.from('demo-value'))).toBe(false);
      }
      const raw = await t.engine.secrets.raw(t.admin, PROD, 'web', 'fresh');
      expect(raw.prefix).toBe('k8s:enc:kms:v2:key-protect:');
      // Verify names the root key version, read from the EncryptedObject's key_id.
      const key = (await t.engine.keys.list(t.admin, 'kp-us-south')).find(
        (k) => k.id === keyId(t, 'cluster-root-key-1'),
      );
      expect(raw.rootKey).toEqual({
        instanceId: 'kp-us-south',
        keyId: keyId(t, 'cluster-root-key-1'),
        versionId: key?.versions.at(-1)?.id,
      });
      // A demo cluster's key_id: the root key and its version.
      expect(raw.keyId).toBe(`${keyId(t, 'cluster-root-key-1')}:${key?.versions.at(-1)?.id}`);
      const plain = await t.engine.secrets.raw(
        t.admin,
        'c-dev-us-east',
        'default',
        'app-secret-00000',
      );
      expect(plain).toMatchObject({ prefix: null, encrypted: false, keyId: null, rootKey: null });
      const fresh = await t.engine.secrets.get(t.admin, PROD, 'web', 'fresh');
      expect(Buffer.from(fresh.data.token ?? '', 'base64').toString()).toBe('s3cr3t-value');
    });

    it('R4: update rotates to another key; a root key the cluster used before is refused', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      const updated = await enableAndWait(t, PROD, 'cluster-root-key-2');
      expect(updated.kms?.crkName).toBe('cluster-root-key-2');
      expect(updated.kms?.previousCrkIds).toEqual([keyId(t, 'cluster-root-key-1')]);
      const values = await readAll(t, PROD);
      expect(values).toHaveLength(250);
      const err = await rejects(
        t.engine.controller.enable(t.admin, {
          cluster: PROD,
          instance_id: 'kp-us-south',
          crk_id: keyId(t, 'cluster-root-key-1'),
          private_endpoint: true,
        }),
        409,
        'ROOT_KEY_USED_BEFORE',
      );
      expect(err.message).toContain('cluster-root-key-1');
      await rejects(
        t.engine.controller.enable(t.admin, {
          cluster: PROD,
          instance_id: 'kp-us-south',
          crk_id: keyId(t, 'cluster-root-key-2'),
          private_endpoint: true,
        }),
        409,
        'ROOT_KEY_IN_USE',
      );
      // The first key is no longer registered to the cluster; the second is.
      const first = await t.engine.keys.record(keyId(t, 'cluster-root-key-1'));
      expect(first.registrations).toEqual([]);
    });

    it('R5: KMS cannot be disabled; switching provider to Hyper Protect Crypto Services is allowed', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      const hpcsKeys = await t.engine.keys.list(t.admin, 'hpcs-us-south');
      const hpcsKey = hpcsKeys.find((k) => k.name === 'cluster-root-key-1');
      await t.engine.controller.enable(t.admin, {
        cluster: PROD,
        instance_id: 'hpcs-us-south',
        crk_id: hpcsKey?.id ?? '',
        private_endpoint: true,
      });
      await t.engine.controller.settled(PROD);
      const cluster = await t.engine.clusters.get(t.admin, PROD);
      expect(cluster.kms?.provider).toBe('hyper-protect-crypto-services');
      const kv = await t.engine.ctx.store.get(StoreKey.secret(PROD, 'default', 'app-secret-00000'));
      expect(kv && parseKmsPrefix(kv.value)).toBe('hyper-protect-crypto-services');
      // No engine operation turns KMS off: the cluster record keeps a KMS configuration for good.
      expect(cluster.features.keyProtectEnabled).toBe(true);
    });

    it('R6: rotating a root key re-enables every cluster using it with the new version', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      await enableAndWait(t, 'c-staging-us-south', 'cluster-root-key-1');
      const before = (await t.engine.keys.record(keyId(t, 'cluster-root-key-1'))).versions;
      const rotated = await t.engine.keyLifecycle.rotate(
        t.admin,
        'kp-us-south',
        keyId(t, 'cluster-root-key-1'),
      );
      const newVersion = rotated.versions.at(-1)?.id;
      expect(rotated.versions).toHaveLength(before.length + 1);
      for (const id of [PROD, 'c-staging-us-south']) {
        await t.engine.controller.settled(id);
        const cluster = await t.engine.clusters.get(t.admin, id);
        expect(cluster.kms?.keyVersion).toBe(newVersion);
        expect(cluster.masterStatus).toBe('Ready');
        expect(cluster.enablement?.reason).toBe('rotate');
      }
      const kv = await t.engine.ctx.store.get(
        StoreKey.secret(PROD, 'payments', 'app-secret-00002'),
      );
      expect(kv && t.engine.ctx.envelope.inspect(kv.value)?.keyId).toBe(
        `${keyId(t, 'cluster-root-key-1')}:${newVersion}`,
      );
      expect(await readAll(t, PROD)).toHaveLength(250);
    });

    it('R7: disabling the root key turns the cluster to a warning and reads fail; enabling restores it', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      await t.engine.keyLifecycle.setEnabled(
        t.admin,
        'kp-us-south',
        keyId(t, 'cluster-root-key-1'),
        false,
      );
      const warned = await t.engine.clusters.get(t.admin, PROD);
      expect(warned.masterHealth).toBe('warning');
      expect(warned.masterStatus).toContain('disabled');
      const err = await rejects(
        t.engine.secrets.get(t.admin, PROD, 'default', 'app-secret-00000'),
        409,
        'ROOT_KEY_DISABLED',
      );
      expect(err.message).toContain('cluster-root-key-1');
      await rejects(
        t.engine.secrets.write(
          t.admin,
          PROD,
          { namespace: 'default', name: 'x', type: 'Opaque', data: { a: 'YQ==' } },
          'create',
        ),
        409,
        'ROOT_KEY_DISABLED',
      );
      await t.engine.keyLifecycle.setEnabled(
        t.admin,
        'kp-us-south',
        keyId(t, 'cluster-root-key-1'),
        true,
      );
      const restored = await t.engine.clusters.get(t.admin, PROD);
      expect(restored.masterStatus).toBe('Ready');
      expect(await readAll(t, PROD)).toHaveLength(250);
    });

    it('R8: deleting a key in use is refused unless forced; forced deletion makes the cluster critical and its data unrecoverable', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      const err = await rejects(
        t.engine.keyLifecycle.delete(t.admin, 'kp-us-south', keyId(t, 'cluster-root-key-1'), false),
        409,
        'KEY_IN_USE',
      );
      expect(err.message).toContain('prod-us-south');
      expect(err.details).toEqual({ clusters: [{ id: PROD, name: 'prod-us-south' }] });
      expect(await readAll(t, PROD)).toHaveLength(250);
      const deleted = await t.engine.keyLifecycle.delete(
        t.admin,
        'kp-us-south',
        keyId(t, 'cluster-root-key-1'),
        true,
      );
      expect(deleted.state).toBe(KeyState.Destroyed);
      const cluster = await t.engine.clusters.get(t.admin, PROD);
      expect(cluster.masterHealth).toBe('critical');
      await rejects(
        t.engine.secrets.get(t.admin, PROD, 'default', 'app-secret-00000'),
        409,
        'ROOT_KEY_DELETED',
      );
      // The material is gone from the adapter: even the seed cannot be unwrapped any more.
      const version = deleted.versions[0];
      await expect(
        t.engine.ctx
          .adapterFor(version?.adapter ?? 'software')
          .unwrap(version?.handle ?? '', Buffer.alloc(40), Buffer.alloc(0)),
      ).rejects.toMatchObject({ code: 'KEY_MISSING' });
    });

    it('R9: an expired root key behaves as disabled: refused for enablement, clusters warned, reads fail', async () => {
      await rejects(
        t.engine.controller.enable(t.admin, {
          cluster: PROD,
          instance_id: 'kp-us-south',
          crk_id: keyId(t, 'disabled-root-key'),
          private_endpoint: true,
        }),
        409,
        'ROOT_KEY_DISABLED',
      );
      await enableAndWait(t, 'c-dev-us-east', 'expiring-root-key');
      // Move time past the expiry (10 days ahead in the demo data).
      t.advance(11 * 24 * 3600 * 1000);
      await rejects(
        t.engine.secrets.get(t.admin, 'c-dev-us-east', 'default', 'app-secret-00000'),
        409,
        'ROOT_KEY_EXPIRED',
      );
      await t.engine.controller.reconcile();
      const cluster = await t.engine.clusters.get(t.admin, 'c-dev-us-east');
      expect(cluster.masterHealth).toBe('warning');
      expect(cluster.masterStatus).toContain('expired');
      expect((await t.engine.keys.record(keyId(t, 'expiring-root-key'))).state).toBe(
        KeyState.Deactivated,
      );
      await rejects(
        t.engine.controller.enable(t.admin, {
          cluster: PROD,
          instance_id: 'kp-us-south',
          crk_id: keyId(t, 'expiring-root-key'),
          private_endpoint: true,
        }),
        409,
        'ROOT_KEY_EXPIRED',
      );
    });

    it('R10: enabling needs Administrator on the cluster and Reader on the instance; the service authorization is created once', async () => {
      const err = await rejects(
        t.engine.controller.enable(t.viewer, {
          cluster: PROD,
          instance_id: 'kp-us-south',
          crk_id: keyId(t, 'cluster-root-key-1'),
          private_endpoint: true,
        }),
        403,
        'FORBIDDEN',
      );
      expect(err.message).toContain('Administrator');
      expect(err.details).toMatchObject({
        requiredRole: 'Administrator',
        resource: { kind: 'cluster', id: PROD },
      });
      const outsider = { ...t.admin, serviceRoles: [] };
      const noReader = await rejects(t.engine.keys.list(outsider, 'kp-us-south'), 403, 'FORBIDDEN');
      expect(noReader.message).toContain('Reader');
      // Only the partner's authorization of the demo seeds exists before the first enablement.
      const ownAccount = async () =>
        (await t.engine.controller.serviceAuthorizations()).filter(
          (p) => p.target.accountId === p.source.accountId,
        );
      expect(await ownAccount()).toEqual([]);
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      await enableAndWait(t, 'c-staging-us-south', 'cluster-root-key-2');
      const authorizations = await ownAccount();
      expect(authorizations).toHaveLength(1);
      expect(authorizations[0]).toMatchObject({
        source: { accountId: 'acct-demo', serviceName: 'containers-kubernetes' },
        target: { instanceId: 'kp-us-south', serviceName: 'key-protect' },
        roles: ['Reader'],
      });
    });

    it('R11: an instance in another account works through the API when its account is named', async () => {
      const partnerKey = (await t.engine.keys.list(t.admin, 'kp-partner-eu-de'))[0];
      await rejects(
        t.engine.controller.enable(t.admin, {
          cluster: PROD,
          instance_id: 'kp-partner-eu-de',
          crk_id: partnerKey?.id ?? '',
          private_endpoint: true,
        }),
        400,
        'ACCOUNT_MISMATCH',
      );
      await t.engine.controller.enable(t.admin, {
        cluster: PROD,
        instance_id: 'kp-partner-eu-de',
        crk_id: partnerKey?.id ?? '',
        private_endpoint: true,
        account_id: 'acct-partner',
      });
      await t.engine.controller.settled(PROD);
      const cluster = await t.engine.clusters.get(t.admin, PROD);
      expect(cluster.kms).toMatchObject({
        instanceId: 'kp-partner-eu-de',
        accountId: 'acct-partner',
      });
      expect(cluster.masterStatus).toBe('Ready');
    });

    it('R12: the private service endpoint is the default; public is explicit', async () => {
      await t.engine.controller.enable(t.admin, {
        cluster: PROD,
        instance_id: 'kp-us-south',
        crk_id: keyId(t, 'cluster-root-key-1'),
        private_endpoint: true,
      });
      await t.engine.controller.settled(PROD);
      expect((await t.engine.clusters.get(t.admin, PROD)).kms?.privateEndpoint).toBe(true);
      await t.engine.controller.enable(t.admin, {
        cluster: 'c-dev-us-east',
        instance_id: 'kp-us-south',
        crk_id: keyId(t, 'cluster-root-key-2'),
        private_endpoint: false,
      });
      await t.engine.controller.settled('c-dev-us-east');
      expect((await t.engine.clusters.get(t.admin, 'c-dev-us-east')).kms?.privateEndpoint).toBe(
        false,
      );
    });

    it('R13: root-key material never leaves the adapter: records hold handles, the store holds only wrapped material and seeds', async () => {
      await enableAndWait(t, PROD, 'cluster-root-key-1');
      const key = await t.engine.keys.record(keyId(t, 'cluster-root-key-1'));
      expect(Object.keys(key.versions[0] ?? {}).sort()).toEqual([
        'adapter',
        'creationDate',
        'handle',
        'id',
      ]);
      const view = await t.engine.keys.view(key);
      expect(view.extractable).toBe(false);
      expect(JSON.stringify(view)).not.toContain(key.versions[0]?.handle);
      const seed = await t.engine.ctx.store.get(StoreKey.seed(PROD, key.versions[0]?.id ?? ''));
      expect(seed?.value.length).toBe(12 + 32 + 16); // nonce + wrapped seed + tag: never the bare 32 bytes
    });
  });
}
