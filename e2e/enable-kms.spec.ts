import { expect, expectAccessible, test } from './fixtures.ts';

test('enable KMS on a cluster with 20,000 secrets: progress, then Ready, then Update refuses the first key', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.getByRole('link', { name: 'prod-us-south' }).click();
  await expect(page.getByRole('heading', { name: 'prod-us-south' })).toBeVisible();
  const summary = page.getByRole('table', { name: 'Summary' });
  const kmsRow = summary.getByRole('row', { name: /Key management service/ });
  await expect(kmsRow).toContainText('Not enabled');
  await expectAccessible(page);

  await kmsRow.getByRole('button', { name: 'Enable' }).click();
  const modal = page.getByRole('dialog', { name: 'Enable key management service' });
  await expect(modal).toBeVisible();
  const enable = modal.getByRole('button', { name: 'Enable', exact: true });
  await expect(enable).toBeDisabled();
  await expect(
    modal.getByText('During the enablement, you might not be able to access the Kubernetes master'),
  ).toBeVisible();
  await modal.getByRole('combobox', { name: 'Key management service instance' }).click();
  await page
    .getByRole('option', { name: /keyhaven-key-protect \(Key Protect, us-south\)/ })
    .click();
  await modal.getByRole('combobox', { name: 'Root key' }).click();
  await expect(page.getByRole('option', { name: 'disabled-root-key (Disabled)' })).toHaveAttribute(
    'disabled',
    '',
  );
  await page.getByRole('option', { name: 'cluster-root-key-1', exact: true }).click();
  await expect(
    modal.getByRole('checkbox', { name: 'Use public service endpoint' }),
  ).not.toBeChecked();
  await expectAccessible(page);
  await enable.click();
  await expect(modal).toBeHidden();

  const statusRow = summary.getByRole('row', { name: /Master status/ });
  await expect(statusRow.getByRole('progressbar')).toBeVisible();
  await expect(statusRow).toContainText('KMS feature enablement in progress.');
  await expect(statusRow).toContainText(/[\d,]+ of 20,000 secrets/);
  await expect(statusRow).toContainText('Ready', { timeout: 60_000 });
  await expect(kmsRow).toContainText('keyhaven-key-protect');
  await expect(kmsRow).toContainText('Root key cluster-root-key-1');

  // Update: the key used now (and so before) cannot be picked again (R4).
  await kmsRow.getByRole('button', { name: 'Update' }).click();
  const update = page.getByRole('dialog', { name: 'Update key management service' });
  await update.getByRole('combobox', { name: 'Key management service instance' }).click();
  await page.getByRole('option', { name: /keyhaven-key-protect/ }).click();
  await update.getByRole('combobox', { name: 'Root key' }).click();
  await expect(
    page.getByRole('option', { name: 'cluster-root-key-1 (In use by this cluster)' }),
  ).toHaveAttribute('disabled', '');
  await page.getByRole('option', { name: 'cluster-root-key-2', exact: true }).click();
  await update.getByRole('button', { name: 'Update', exact: true }).click();
  await expect(statusRow).toContainText('Ready', { timeout: 60_000 });
  await expect(kmsRow).toContainText('Root key cluster-root-key-2');
  await kmsRow.getByRole('button', { name: 'Update' }).click();
  await update.getByRole('combobox', { name: 'Key management service instance' }).click();
  await page.getByRole('option', { name: /keyhaven-key-protect/ }).click();
  await update.getByRole('combobox', { name: 'Root key' }).click();
  await expect(
    page.getByRole('option', { name: 'cluster-root-key-1 (Used before by this cluster)' }),
  ).toHaveAttribute('disabled', '');
  await page.keyboard.press('Escape');
  await update.getByRole('button', { name: 'Cancel' }).click();
  await expect(kmsRow.getByRole('button', { name: 'Update' })).toBeFocused();
  expect(consoleErrors).toEqual([]);
});
