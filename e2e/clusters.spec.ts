import { expect, expectAccessible, test } from './fixtures.ts';

test("the clusters page lists the engine's clusters after login", async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await page.goto('/clusters');
  // Not logged in: the console sends the user to the login page first.
  await expect(page.getByRole('heading', { name: 'Log in to Keyhaven' })).toBeVisible();
  await expectAccessible(page);
  await loginPage.logIn('admin');
  await expect(page.getByRole('heading', { name: 'Kubernetes clusters' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Clusters' });
  // Rows come from the engine's demo data, through the BFF.
  for (const name of ['prod-us-south', 'staging-us-south', 'dev-us-east']) {
    await expect(table.getByRole('link', { name })).toBeVisible();
  }
  await expect(table.getByRole('row')).toHaveCount(4);
  await expect(table.getByRole('row', { name: /prod-us-south/ })).toContainText('Not enabled');
  // Sort and search are kept in the URL: a reload (or a shared link) shows the same rows.
  await table.getByRole('button', { name: /Name/ }).click();
  await table.getByRole('button', { name: /Name/ }).click();
  await expect(page).toHaveURL(/\/clusters\?sort=-name$/);
  await expect(table.locator('tbody tr').first()).toContainText('staging-us-south');
  await page.reload();
  await expect(table.locator('tbody tr').first()).toContainText('staging-us-south');
  await expect(table.locator('tbody tr').last()).toContainText('dev-us-east');
  await page.getByRole('searchbox', { name: 'Search clusters' }).fill('staging');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(page).toHaveURL(/search=staging/);
  await page.reload();
  await expect(page.getByRole('searchbox', { name: 'Search clusters' })).toHaveValue('staging');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expectAccessible(page);
  // Addresses that lead nowhere say so, with the way back, instead of a silent redirect.
  await page.goto('/no-such-page');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByText('The console has no page at /no-such-page.')).toBeVisible();
  await page.goto('/clusters/c-no-such-cluster');
  await expect(page.getByRole('heading', { name: 'Cluster not found' })).toBeVisible();
  await expect(page.getByRole('tab')).toHaveCount(0);
  // The engine's 404 for the unknown cluster is logged by Chromium as a failed resource.
  const expected = consoleErrors.filter((e) => e.includes('status of 404'));
  expect(expected.length).toBeGreaterThan(0);
  consoleErrors.splice(
    0,
    consoleErrors.length,
    ...consoleErrors.filter((e) => !expected.includes(e)),
  );
  expect(consoleErrors).toEqual([]);
});

test('a wrong password gives an inline error', async ({ page, loginPage }) => {
  await loginPage.logIn('admin', 'not-the-password');
  await expect(page.getByRole('alert').filter({ hasText: 'Could not log in' })).toContainText(
    'The username or password is incorrect.',
  );
});
