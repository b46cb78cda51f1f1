import type { Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures.ts';

async function keyAction(page: Page, keyName: string, action: string) {
  await page.goto('/kms');
  await page.getByRole('combobox', { name: 'Key management service instance' }).click();
  await page.getByRole('option', { name: /keyhaven-key-protect/ }).click();
  // The chosen instance is in the address, so a reload (or a shared link) keeps it.
  await expect(page).toHaveURL(/\/kms\?instance=kp-us-south$/);
  const row = page
    .getByRole('table', { name: 'Root keys' })
    .getByRole('row', { name: new RegExp(keyName) });
  await row.getByRole('button', { name: `Actions for ${keyName}` }).click();
  await page.getByRole('menuitem', { name: action }).click();
  return row;
}

test('disable, enable, rotate and delete a root key in use, and see the cluster follow', async ({
  page,
  loginPage,
  clusterPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const { statusRow } = clusterPage;
  await clusterPage.goto('c-dev-us-east');
  await clusterPage.enableWith('cluster-root-key-3');
  await expect(statusRow).toContainText('Ready', { timeout: 60_000 });

  // Disabling a key in use asks first, naming the clusters and what happens to them (R7).
  const row = await keyAction(page, 'cluster-root-key-3', 'Disable');
  const disable = page.getByRole('dialog', { name: 'Disable root key cluster-root-key-3' });
  await expect(disable).toContainText('Used by cluster: dev-us-east.');
  await expect(disable).toContainText('can no longer read their secrets');
  await page.screenshot({ path: 'test-results/disable-confirmation.png' });
  await expectAccessible(page);
  await disable.getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByText('Root key cluster-root-key-3 disabled')).toBeVisible();
  await expect(row).toContainText('Disabled');
  await expect(row).toContainText('dev-us-east');
  await expectAccessible(page);
  await clusterPage.goto('c-dev-us-east');
  await expect(statusRow).toContainText('Root key cluster-root-key-3 is disabled');
  await expect(statusRow.getByRole('img', { name: 'Warning' })).toBeVisible();

  // The warning leads to the key's own page (issue 30): its instance, state, who uses it and
  // what was done to it, so that a key of the same name in another instance is never mistaken.
  await statusRow.getByRole('link', { name: 'Open root key cluster-root-key-3' }).click();
  await expect(page).toHaveURL(/\/kms\/kp-us-south\/keys\/[\w-]+$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/cluster-root-key-3\s*Disabled/);
  const keySummary = page.getByRole('table', { name: 'Summary' });
  await expect(keySummary).toContainText('keyhaven-key-protect');
  const usedBy = page.getByRole('table', { name: 'Used by' });
  await expect(usedBy.getByRole('row', { name: /dev-us-east/ })).toContainText('Cluster');
  await expect(page.getByRole('table', { name: 'Activity' })).toContainText(
    'Disabled root key cluster-root-key-3.',
  );
  await page.screenshot({ path: 'test-results/root-key-page.png', fullPage: true });
  await expectAccessible(page);
  await usedBy.getByRole('link', { name: 'dev-us-east' }).click();
  await expect(statusRow).toContainText('Root key cluster-root-key-3 is disabled');

  // Secrets cannot be read while the key is disabled.
  await clusterPage.openTab('Secrets');
  const reveal = await clusterPage.secretAction('default/app-secret-00000', 'Reveal values');
  await expect(reveal).toContainText('The values could not be read');
  await expect(reveal).toContainText('Root key cluster-root-key-3 is disabled');
  await reveal.getByRole('button', { name: 'Close' }).click();
  // Chromium logs the refused read (409) as a failed resource: that one is expected.
  const refused = consoleErrors.findIndex((e) => e.includes('status of 409'));
  expect(refused).toBeGreaterThanOrEqual(0);
  consoleErrors.splice(refused, 1);

  await keyAction(page, 'cluster-root-key-3', 'Enable');
  await expect(row).toContainText('Active');
  await clusterPage.goto('c-dev-us-east');
  await expect(statusRow).toContainText('Ready');

  // Rotating a key in use asks too (R6); Cancel changes nothing.
  await keyAction(page, 'cluster-root-key-3', 'Rotate');
  const rotate = page.getByRole('dialog', { name: 'Rotate root key cluster-root-key-3' });
  await expect(rotate).toContainText('re-encrypts all of its secrets');
  await page.screenshot({ path: 'test-results/rotate-confirmation.png' });
  await rotate.getByRole('button', { name: 'Cancel' }).click();
  await expect(rotate).toBeHidden();
  await expect(row.getByRole('cell').nth(3)).toHaveText('1');
  await keyAction(page, 'cluster-root-key-3', 'Rotate');
  await rotate.getByRole('button', { name: 'Rotate' }).click();
  await expect(page.getByText('Root key cluster-root-key-3 rotated')).toBeVisible();
  await expect(row.getByRole('cell').nth(3)).toHaveText('2');
  await clusterPage.goto('c-dev-us-east');
  await expect(statusRow).toContainText('Ready');

  await keyAction(page, 'cluster-root-key-3', 'Delete');
  const dialog = page.getByRole('dialog', { name: 'Delete root key cluster-root-key-3' });
  await expect(dialog).toContainText('Used by: dev-us-east');
  const confirm = dialog.getByRole('button', { name: 'Delete' });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('Type cluster-root-key-3 to confirm').fill('cluster-root-key-3');
  await confirm.click();
  await expect(row).toContainText('Deleted');
  await clusterPage.goto('c-dev-us-east');
  await expect(statusRow).toContainText('was deleted');
  await expect(statusRow.getByRole('img', { name: 'Critical' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
