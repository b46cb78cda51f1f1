import { expect, test } from './fixtures.ts';

test('Key management remembers the chosen instance and tells same-named keys apart by ID', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.goto('/kms');
  await page.getByRole('combobox', { name: 'Key management service instance' }).click();
  await page.getByRole('option', { name: /keyhaven-hpcs/ }).click();
  await expect(page).toHaveURL(/\/kms\?instance=hpcs-us-south$/);
  const hpcsRow = page
    .getByRole('table', { name: 'Root keys' })
    .getByRole('row', { name: /cluster-root-key-1/ });
  const hpcsId = (await hpcsRow.locator('.kh-key-id').textContent()) ?? '';
  expect(hpcsId).toMatch(/^[0-9a-f-]{36}$/);

  // Elsewhere and back through the navigation: the same instance, not the first one.
  await page.getByRole('link', { name: 'Kubernetes clusters' }).click();
  await page.getByRole('link', { name: 'Key management' }).click();
  await expect(
    page.getByRole('combobox', { name: 'Key management service instance' }),
  ).toContainText('keyhaven-hpcs');
  // Both instances have a cluster-root-key-1; the ID column tells them apart.
  await page.goto('/kms?instance=kp-us-south');
  const kpId = await page
    .getByRole('table', { name: 'Root keys' })
    .getByRole('row', { name: /cluster-root-key-1/ })
    .locator('.kh-key-id')
    .textContent();
  expect(kpId).not.toBe(hpcsId);
  expect(consoleErrors).toEqual([]);
});
