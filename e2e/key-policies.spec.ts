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
  await page.getByRole('menuitem', { name: 'Rotation policy' }).click();

  const dialog = page.getByRole('dialog', { name: 'Rotation policy of cluster-root-key-2' });
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
  await page.getByRole('menuitem', { name: 'Rotation policy' }).click();
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
