import { expect, expectAccessible, test } from './fixtures.ts';

// Runs after enable-kms.spec.ts (files run in name order), whose enablement of prod-us-south with
// keyhaven-key-protect created the Reader authorization in the demo account (R10).
test('authorizations: find the automatic one, create one for another account, delete it after confirming', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.getByRole('link', { name: 'Authorizations' }).click();
  await expect(page.getByRole('heading', { name: 'Authorizations', level: 1 })).toBeVisible();
  const table = page.getByRole('table', { name: 'Service authorizations' });

  // The one enabling created: Kubernetes Service of this account, Reader on the demo instance.
  const automatic = table.getByRole('row', { name: /Key Protect: keyhaven-key-protect/ });
  await expect(automatic).toContainText('This account (acct-demo)');
  await expect(automatic).toContainText('Reader');
  await expect(automatic).toContainText('prod-us-south');
  await expect(automatic).toContainText('by admin');
  // The partner's grant to this account is listed too, and only the partner may delete it.
  const partner = table.getByRole('row', { name: /partner-key-protect/ });
  await expect(partner).toContainText('Account acct-partner');
  await expect(partner.getByRole('button', { name: /Delete/ })).toBeDisabled();
  await expectAccessible(page);

  // Deleting the automatic one names the clusters that rely on it; cancel.
  await automatic.getByRole('button', { name: /Delete/ }).click();
  let dialog = page.getByRole('dialog', { name: 'Delete service authorization' });
  await expect(dialog).toContainText(/rel(y|ies) on it: .*prod-us-south/);
  await expect(dialog).toContainText('master status turns to a warning');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();

  // Create one for another account, in the seed's words.
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const create = page.getByRole('dialog', { name: 'Create service authorization' });
  // The dialog starts at its first field, and on one instance, not every one (issue 30).
  await expect(create.getByLabel(/This account/)).toBeFocused();
  await expect(create.getByLabel('Target service instance')).not.toHaveValue('*');
  await create.getByText('Other account').click();
  // An account that exists: the engine refuses an unknown one (issue 25).
  await create.getByLabel('Account ID').fill('acct-partner');
  await expect(create.getByLabel('Source service')).toHaveValue('containers-kubernetes');
  await create.getByLabel('Target service', { exact: true }).selectOption('key-protect');
  await create
    .getByLabel('Target service instance')
    .selectOption({ label: 'keyhaven-key-protect (us-south)' });
  await create.getByText('Writer').click();
  await create.getByText(/delegated by the source and dependent services/).click();
  await expectAccessible(page);
  await create.getByRole('button', { name: 'Authorize' }).click();
  await expect(create).toBeHidden();
  await expect(page.getByText('Kubernetes Service may now use keyhaven-key-protect')).toBeVisible();
  const created = table.getByRole('row', {
    name: /Account acct-partner.*Key Protect: keyhaven-key-protect/,
  });
  await expect(created).toContainText('Reader, Writer');
  await expect(created).toContainText('Delegation allowed');

  // Delete it: no cluster of this account relies on it, and the dialog says so.
  await created.getByRole('button', { name: /Delete/ }).click();
  dialog = page.getByRole('dialog', { name: 'Delete service authorization' });
  await expect(dialog).toContainText('No cluster of yours relies on it');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(created).toBeHidden();
  await expect(automatic).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
