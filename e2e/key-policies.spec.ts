import { expect, expectAccessible, test } from './fixtures.ts';

test('set a root key’s rotation policy and see its next rotation, then turn it off', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.goto('/kms?instance=kp-us-south');
  const row = page
    .getByRole('table', { name: 'Root keys' })
    .getByRole('row', { name: /cluster-root-key-2/ });
  await expect(row).toContainText('By hand');
  await row.getByRole('button', { name: 'Actions for cluster-root-key-2' }).click();
  await page.getByRole('menuitem', { name: 'Policies' }).click();

  const dialog = page.getByRole('dialog', { name: 'Policies of cluster-root-key-2' });
  await expect(dialog).toContainText('A month is 30 days');
  await dialog.getByLabel('Rotate every').selectOption('2');
  await page.screenshot({ path: 'test-results/rotation-policy.png' });
  await expectAccessible(page);
  await dialog.getByRole('button', { name: 'Save' }).click();

  // The engine answers the next rotation: 60 days after the key's creation (it was never rotated).
  const toast = page.getByText(/Root key cluster-root-key-2 rotates every 2 months: next on /);
  await expect(toast).toBeVisible();
  const next = (await toast.textContent())?.replace(/.*next on /, '').trim() ?? '';
  expect(next).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}$/);
  await expect(dialog).toBeHidden();
  await expect(row).toContainText(next);

  // Opened again, the dialog shows the policy as saved; turned off, the key rotates by hand only.
  await row.getByRole('button', { name: 'Actions for cluster-root-key-2' }).click();
  await page.getByRole('menuitem', { name: 'Policies' }).click();
  await expect(dialog.getByLabel('Rotate every')).toHaveValue('2');
  await expect(dialog).toContainText(`Next rotation now: ${next}`);
  await dialog.getByText('Rotate automatically').click();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(
    page.getByText('Root key cluster-root-key-2 no longer rotates by policy'),
  ).toBeVisible();
  await expect(row).toContainText('By hand');
  expect(consoleErrors).toEqual([]);
});

test('delete a key under dual authorization: admin authorizes, approver deletes', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.goto('/kms?instance=kp-us-south');
  await page.getByRole('button', { name: 'Create root key' }).click();
  await page.getByLabel('Name').fill('two-person-key');
  await page.getByRole('dialog').getByRole('button', { name: 'Create' }).click();
  const row = page
    .getByRole('table', { name: 'Root keys' })
    .getByRole('row', { name: /two-person-key/ });
  const act = async (action: string) => {
    await row.getByRole('button', { name: 'Actions for two-person-key' }).click();
    await page.getByRole('menuitem', { name: action }).click();
  };

  await act('Policies');
  const policies = page.getByRole('dialog', { name: 'Policies of two-person-key' });
  await policies.getByText('Rotate automatically').click();
  await policies.getByText('Dual authorization to delete').click();
  await expect(policies).toContainText('Once on, it cannot be turned off.');
  await policies.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Deleting it now takes two Managers.')).toBeVisible();

  // The first Manager can only authorize the deletion, then only wait or cancel.
  await act('Delete');
  const dialog = page.getByRole('dialog', { name: 'Delete root key two-person-key' });
  await expect(dialog).toContainText('Deleting this key takes two Managers');
  await dialog.getByRole('button', { name: 'Authorize deletion' }).click();
  await expect(page.getByText(/Deletion of two-person-key authorized/)).toBeVisible();
  await act('Delete');
  await expect(dialog).toContainText('Waiting for a second Manager');
  await expect(dialog.getByRole('button', { name: 'Cancel authorization' })).toBeVisible();
  await page.screenshot({ path: 'test-results/dual-auth-waiting.png' });
  await expectAccessible(page);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // The second Manager deletes it.
  await page.context().clearCookies();
  await loginPage.logIn('approver');
  await page.goto('/kms?instance=kp-us-south');
  await act('Delete');
  await expect(dialog).toContainText('admin authorized its deletion until');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(row).toContainText('Deleted');
  expect(consoleErrors).toEqual([]);
});
