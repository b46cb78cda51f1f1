import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterPage, expect, expectAccessible, PASSWORD, test } from './fixtures.ts';
import { freePort, spawnBff, spawnEngine } from '../apps/engine/test/process.ts';
import { parseAllDocuments } from 'yaml';
import {
  SKIP_KUBE,
  identityConfig,
  kubeOk,
  startKube,
  type Kube,
} from '../apps/kms-plugin/test/kube.ts';
import {
  localSetup,
  spawnPlugin,
  stopPlugin,
  type PluginProcess,
} from '../apps/kms-plugin/test/plugin.ts';

/** Applies the console's RBAC YAML as `kubectl apply` would, and makes its service account's token. */
async function tokenFromConsoleRbac(kube: Kube, text: string): Promise<string> {
  const paths: Record<string, string> = {
    ServiceAccount: '/api/v1/namespaces/kube-system/serviceaccounts',
    ClusterRole: '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    ClusterRoleBinding: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
  };
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind: string };
    await kubeOk(kube, 'POST', paths[object.kind] ?? '', object);
  }
  const answer = await kubeOk(
    kube,
    'POST',
    '/api/v1/namespaces/kube-system/serviceaccounts/keyhaven/token',
    { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
  );
  return (answer.status as { token: string }).token;
}

/**
 * Issue 16 in the console: a real kube-apiserver (with TLS etcd) is connected, its KMS plug-in set
 * up from the files the console gives, KMS enabled; Master status goes to Ready and Verify shows
 * the KMS v2 prefix read from the real etcd. Its own engine and BFF: the shared ones stay demo.
 */
test('a connected cluster: connect, set up the plug-in, Enable, progress, Ready, Verify from etcd', async ({
  page,
}) => {
  test.skip(SKIP_KUBE, 'KEYHAVEN_SKIP_KUBE=1: no real kube-apiserver here, on purpose');
  test.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), 'keyhaven-connected-'));
  const dataDir = join(dir, 'data');
  const engine = await spawnEngine(
    {
      KEYHAVEN_DATA_DIR: dataDir,
      KEYHAVEN_DEMO_PASSWORD: PASSWORD,
      KEYHAVEN_DEMO_SECRETS: '50',
      KEYHAVEN_LOG_LEVEL: 'warn',
      // Paced, so that progress shows before Ready.
      KEYHAVEN_MIGRATION_RATE: '20',
      KEYHAVEN_MIGRATION_PAGE_SIZE: '10',
    },
    await freePort(),
  );
  const { bff, bffUrl } = await spawnBff(engine.url, dataDir, { KEYHAVEN_WEB_DIST: 'dist/web' });
  let kube: Kube | undefined;
  let plugin: PluginProcess | undefined;
  try {
    kube = await startKube(join(dir, 'kube'), identityConfig);
    for (let i = 0; i < 60; i++)
      await kubeOk(kube, 'POST', '/api/v1/namespaces/default/secrets', {
        metadata: { name: `app-secret-${String(i).padStart(2, '0')}` },
        data: { password: Buffer.from(`value ${i}`).toString('base64') },
      });

    await page.goto(`${bffUrl}/login`);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL((url) => url.pathname !== '/login');
    await page.goto(`${bffUrl}/clusters`);

    // Connect cluster: the credentials are checked at once; etcd access serves Verify.
    await page.getByRole('button', { name: 'Connect cluster' }).click();
    const connect = page.getByRole('dialog', { name: 'Connect cluster' });
    await connect.getByLabel('Name').fill('real-cluster');
    await connect.getByLabel('API server URL').fill(kube.server);
    await connect.getByLabel('CA certificate (PEM)').fill(kube.caCertificate());
    // The token as the dialog says to make it: its RBAC YAML applied to the real API server,
    // then a token of its service account (what `kubectl create token` asks for).
    await connect.getByRole('button', { name: 'How to make this token with kubectl' }).click();
    const rbac = await connect.getByLabel('keyhaven-rbac.yaml').locator('pre').innerText();
    const token = await tokenFromConsoleRbac(kube, rbac);
    await connect.getByLabel('Service-account token').fill('a-wrong-token');
    await connect.getByRole('button', { name: 'Connect' }).click();
    await expect(connect).toContainText('the API server refused the token (401)');
    await connect.getByLabel('Service-account token').fill(token);
    await connect.getByText('Also give etcd access').click();
    await connect.getByLabel('etcd endpoints').fill(kube.etcd.endpoints.join(', '));
    await connect.getByLabel('etcd CA certificate (PEM)').fill(kube.etcd.caCertificate);
    await connect.getByLabel('etcd client certificate (PEM)').fill(kube.etcd.clientCertificate);
    await connect.getByLabel('etcd client key (PEM)').fill(kube.etcd.clientKey);
    await expectAccessible(page);
    await page.screenshot({ path: 'test-results/connected-cluster-connect.png' });
    await connect.getByRole('button', { name: 'Connect' }).click();
    await expect(page.getByRole('heading', { name: 'real-cluster', level: 1 })).toBeVisible();
    await expect(page.getByText('Cluster real-cluster connected')).toBeVisible();
    const clusterPage = new ClusterPage(page);
    await expect(clusterPage.summary).toContainText('v1.37.2');
    const connection = page.getByRole('table', { name: 'Connection' });
    await expect(connection).toContainText(kube.server);
    await expect(connection).toContainText('Given: Verify shows the bytes etcd stores');
    await expect(connection).toContainText('None has reported yet');

    // Before KMS, Verify shows the plain object etcd holds.
    await clusterPage.openTab('Secrets');
    const plain = await clusterPage.secretAction('default/app-secret-07', 'Verify encryption');
    await expect(plain).toContainText('The stored value is the plain secret (no KMS prefix).');
    await plain.getByRole('button', { name: 'Close' }).click();
    await clusterPage.openTab('Overview');

    // Enable: the job waits for the API server to take the key.
    await clusterPage.enableWith('cluster-root-key-1');
    await expect(clusterPage.statusRow).toContainText('KMS feature enablement in progress.');
    await expect(clusterPage.statusRow).toContainText(
      "Waiting for the cluster's API server to take the root key",
    );

    // Set up the plug-in from the files the console gives, as an administrator would.
    await page.getByRole('button', { name: 'Set up KMS plug-in' }).click();
    const setup = page.getByRole('dialog', { name: /Set up the KMS plug-in of real-cluster/ });
    await expect(setup).toContainText('kmsplugin-config.yaml');
    const snippets = setup.locator('.cds--snippet-container pre');
    const encryption = await snippets.nth(0).innerText();
    const pluginConfig = await snippets.nth(1).innerText();
    expect(pluginConfig).toMatch(/CLUSTER_ID: "kc-[0-9a-f]+"/);
    await expectAccessible(page);
    await page.screenshot({ path: 'test-results/connected-cluster-setup.png' });
    await setup.getByRole('button', { name: 'Close' }).click();
    const socket = join(dir, 'kms.sock');
    plugin = await spawnPlugin(dir, localSetup(pluginConfig, socket, await freePort()));
    await kube.restart(localSetup(encryption, socket));

    // The migration runs through the API server, with progress, then Ready.
    await expect(clusterPage.statusRow.getByRole('progressbar')).toBeVisible({ timeout: 90_000 });
    await expect(clusterPage.statusRow).toContainText(/\d+ of \d+ secrets/);
    await page.screenshot({ path: 'test-results/connected-cluster-progress.png' });
    await expect(clusterPage.statusRow).toContainText('Ready', { timeout: 90_000 });
    await expect(clusterPage.kmsRow).toContainText('Root key cluster-root-key-1');
    await expect(connection).toContainText('Healthy');
    await expect(page.getByRole('button', { name: 'Disconnect' })).toBeDisabled();
    await expect(page.getByText('KMS is enabled: it cannot be disabled')).toBeVisible();

    // Verify: the bytes from the real etcd start with the KMS v2 prefix.
    await clusterPage.openTab('Secrets');
    const verify = await clusterPage.secretAction('default/app-secret-07', 'Verify encryption');
    await expect(verify).toContainText('The stored value starts with k8s:enc:kms:v2:keyhaven:');
    await expect(verify.getByLabel('Stored bytes as a hex dump')).toContainText(
      '00000000  6b 38 73 3a 65 6e 63 3a  6b 6d 73 3a 76 32 3a 6b  |k8s:enc:kms:v2:k|',
    );
    await page.screenshot({ path: 'test-results/connected-cluster-verify.png' });
    await expectAccessible(page);
    await verify.getByRole('button', { name: 'Close' }).click();
    await page.goto(`${bffUrl}/clusters`);
    const row = page.getByRole('row', { name: /real-cluster/ });
    await expect(row).toContainText('Connected');
    await expect(row).toContainText('keyhaven-key-protect · root key cluster-root-key-1');
    await page.screenshot({ path: 'test-results/connected-cluster-list.png' });
  } finally {
    if (plugin) await stopPlugin(plugin);
    await kube?.stop();
    bff.kill('SIGTERM');
    engine.child.kill('SIGTERM');
    await engine.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
