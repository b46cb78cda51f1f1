import { expect, expectAccessible, test } from './fixtures.ts';

test('enable KMS on a cluster with 20,000 secrets: progress, then Ready, then Update refuses the first key', async ({
  page,
  loginPage,
  clusterPage,
  consoleErrors,
}) => {
  const { kmsRow, statusRow } = clusterPage;
  await loginPage.logIn('admin');
  await page.getByRole('link', { name: 'Kubernetes clusters' }).click();
  await page.getByRole('link', { name: 'prod-us-south' }).click();
  await expect(page.getByRole('heading', { name: 'prod-us-south' })).toBeVisible();
  await expect(kmsRow).toContainText('Not enabled');
  await expectAccessible(page);

  // Before enablement the store holds the plain secret.
  await clusterPage.openTab('Secrets');
  const plain = await clusterPage.secretAction('default/app-secret-00000', 'Verify encryption');
  await expect(plain).toContainText('The stored value is the plain secret (no KMS prefix).');
  await expect(plain.getByLabel('Stored bytes as a hex dump')).toContainText('|{"apiVersion":"v|');
  await plain.getByRole('button', { name: 'Close' }).click();
  await clusterPage.openTab('Overview');

  const modal = await clusterPage.openKmsModal('Enable');
  await expect(modal).toBeVisible();
  const enable = modal.getByRole('button', { name: 'Enable', exact: true });
  await expect(enable).toBeDisabled();
  await expect(
    modal.getByText('During the enablement, you might not be able to access the Kubernetes master'),
  ).toBeVisible();
  await clusterPage.openRootKeys(modal, /keyhaven-key-protect \(Key Protect, us-south\)/);
  await expect(clusterPage.rootKeyOption('disabled-root-key (Disabled)')).toHaveAttribute(
    'disabled',
    '',
  );
  await clusterPage.rootKeyOption('cluster-root-key-1').click();
  const publicEndpoint = modal.getByRole('checkbox', { name: 'Use public service endpoint' });
  await expect(publicEndpoint).not.toBeChecked();
  await modal.getByText('Use public service endpoint', { exact: true }).click();
  await expect(publicEndpoint).toBeChecked();
  await expectAccessible(page);
  await enable.click();
  await expect(modal).toBeHidden();
  await expect(page.getByText('Key management service enablement started')).toBeVisible();

  await expect(statusRow.getByRole('progressbar')).toBeVisible();
  await expect(statusRow).toContainText('KMS feature enablement in progress.');
  await expect(statusRow).toContainText(/[\d,]+ of 20,000 secrets/);
  // Once a second of progress is seen, its rate and the time left (issue 30, fault 4).
  await expect(statusRow).toContainText(/[\d,.]+ secrets\/s · about \d+ (s|min) left/);
  await page.screenshot({ path: 'test-results/enable-progress.png' });
  await expect(statusRow).toContainText('Ready', { timeout: 60_000 });
  // The finish is said, and the "started" toast does not stay up beside Ready.
  await expect(page.getByText('prod-us-south is Ready')).toBeVisible();
  await expect(page.getByText('Key management service enablement started')).toBeHidden();
  await expect(kmsRow).toContainText('keyhaven-key-protect');
  await expect(kmsRow).toContainText('Root key cluster-root-key-1');
  await expect(kmsRow).toContainText('public endpoint');

  // Verify encryption: the stored bytes start with the KMS prefix, as etcdctl | hexdump -C shows.
  await clusterPage.openTab('Secrets');
  const verify = await clusterPage.secretAction('default/app-secret-00000', 'Verify encryption');
  await expect(verify).toContainText('The stored value starts with k8s:enc:kms:v2:key-protect:');
  await expect(verify).toContainText(/Its DEK seed is wrapped under version \w{8} of root key/);
  const dump = verify.getByLabel('Stored bytes as a hex dump');
  await expect(dump).toContainText(
    '00000000  6b 38 73 3a 65 6e 63 3a  6b 6d 73 3a 76 32 3a 6b  |k8s:enc:kms:v2:k|',
  );
  await expectAccessible(page);
  await verify.getByRole('button', { name: 'Close' }).click();
  await clusterPage.openTab('Overview');

  // Update opens with what the cluster uses: its instance and its (public) endpoint (R12).
  const update = await clusterPage.openKmsModal('Update');
  await expect(update).toContainText(
    'The cluster uses root key cluster-root-key-1 of keyhaven-key-protect over the public service endpoint.',
  );
  await expect(
    update.getByRole('combobox', { name: 'Key management service instance' }),
  ).toHaveValue('keyhaven-key-protect (Key Protect, us-south)');
  await expect(update.getByRole('checkbox', { name: 'Use public service endpoint' })).toBeChecked();
  await expect(update).toContainText('During the update, you might not be able to access');
  await page.screenshot({ path: 'test-results/update-prefilled.png' });
  // The key used now (and so before) cannot be picked again (R4); only the key changes.
  await update.getByRole('combobox', { name: 'Root key' }).click();
  await expect(
    clusterPage.rootKeyOption('cluster-root-key-1 (In use by this cluster)'),
  ).toHaveAttribute('disabled', '');
  await clusterPage.rootKeyOption('cluster-root-key-2').click();
  await update.getByRole('button', { name: 'Update', exact: true }).click();
  await expect(update).toBeHidden();
  // The clusters list follows the job live, without a reload: in progress, then Ready, with
  // the new key named in the row.
  await page
    .getByRole('navigation', { name: 'Side navigation' })
    .getByRole('link', {
      name: 'Kubernetes clusters',
    })
    .click();
  const listed = page.getByRole('table', { name: 'Clusters' }).getByRole('row', {
    name: /prod-us-south/,
  });
  await expect(listed).toContainText('KMS feature enablement in progress.');
  await expect(listed).toContainText('Ready', { timeout: 60_000 });
  await expect(listed).toContainText('keyhaven-key-protect · root key cluster-root-key-2');
  await listed.getByRole('link', { name: 'prod-us-south' }).click();
  await expect(statusRow).toContainText('Ready', { timeout: 60_000 });
  await expect(kmsRow).toContainText('Root key cluster-root-key-2');
  await expect(kmsRow).toContainText('public endpoint');
  await clusterPage.openKmsModal('Update');
  await clusterPage.openRootKeys(update);
  await expect(
    clusterPage.rootKeyOption('cluster-root-key-1 (Used before by this cluster)'),
  ).toHaveAttribute('disabled', '');
  await page.keyboard.press('Escape');
  await update.getByRole('button', { name: 'Cancel' }).click();
  await expect(kmsRow.getByRole('button', { name: 'Update' })).toBeFocused();
  expect(consoleErrors).toEqual([]);
});
