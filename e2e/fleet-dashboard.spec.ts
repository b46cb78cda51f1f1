import { expect, expectAccessible, test } from './fixtures.ts';

/**
 * Issue 30: the fleet dashboard is the landing page. Runs after enable-kms.spec.ts, so that
 * prod-us-south has KMS enabled and a finished migration.
 */
test('the dashboard charts the fleet, each chart with a table view whose items are links', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Dashboard', level: 1 })).toBeVisible();

  // Each chart is drawn (Carbon's SVG), and its table is there for screen readers.
  const states = page.getByRole('region', { name: 'Clusters by encryption state' });
  for (const id of ['cluster-states', 'key-ages', 'key-rotations'])
    await expect(
      page.getByTestId(`${id}-chart`).locator('svg.layout-svg-wrapper').first(),
    ).toBeVisible();
  const stateTable = page.getByRole('table', {
    name: 'Clusters by encryption state (table view)',
  });
  await expect(stateTable).toBeAttached();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });

  // The table view, shown: every state with its count; each state a link to those clusters.
  await states.getByRole('button', { name: 'Show as table' }).click();
  await expect(stateTable).toBeVisible();
  await expect(page.getByTestId('cluster-states-chart')).toHaveCount(0);
  await expect(stateTable.getByRole('columnheader')).toHaveText(['Encryption state', 'Clusters']);
  for (const state of ['KMS enabled', 'Not enabled', 'In progress', 'Warning', 'Critical'])
    await expect(stateTable.getByRole('link', { name: state })).toBeVisible();
  const enabledRow = stateTable.getByRole('row', { name: /KMS enabled/ });
  const enabledCount = Number((await enabledRow.getByRole('cell').nth(1).textContent()) ?? 0);
  expect(enabledCount).toBeGreaterThanOrEqual(1);
  await expectAccessible(page);
  await stateTable.getByRole('link', { name: 'KMS enabled' }).click();
  await expect(page).toHaveURL(/\/clusters\?state=enabled$/);
  const clusters = page.getByRole('table', { name: 'Clusters' });
  await expect(clusters.locator('tbody tr')).toHaveCount(enabledCount);
  await expect(clusters).toContainText('prod-us-south');
  await page.getByRole('button', { name: 'Show every state' }).click();
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(clusters).toContainText('staging-us-south');

  // Root keys by age and by next rotation: their table views link to Key management.
  await page.goto('/dashboard');
  for (const title of ['Root keys by age', 'Root keys by next rotation']) {
    const tile = page.getByRole('region', { name: title });
    await tile.getByRole('button', { name: 'Show as table' }).click();
    const table = page.getByRole('table', { name: `${title} (table view)` });
    await expect(table.getByRole('link').first()).toHaveAttribute('href', '/kms');
  }
  await page
    .getByRole('table', { name: 'Root keys by age (table view)' })
    .getByRole('link', { name: 'Under 30 days' })
    .click();
  await expect(page.getByRole('heading', { name: 'Key management', level: 1 })).toBeVisible();

  // A key about to expire links to its page.
  await page.goto('/dashboard');
  const expiring = page.getByRole('table', { name: 'Root keys expiring within 30 days' });
  await expect(expiring).toContainText('keyhaven-key-protect');
  await expiring
    .getByRole('row', { name: /keyhaven-key-protect/ })
    .getByRole('link', { name: 'expiring-root-key' })
    .click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/expiring-root-key/);

  // The latest migrations, with throughput, each cluster a link.
  await page.goto('/dashboard');
  const migrations = page.getByRole('table', { name: 'Latest migrations' });
  const prod = migrations.getByRole('row', { name: /prod-us-south/ });
  await expect(prod).toContainText('Finished');
  await expect(prod).toContainText('20,000 of 20,000');
  await expect(prod).toContainText(/[\d,]+ secrets\/s/);
  await prod.getByRole('link', { name: 'prod-us-south' }).click();
  await expect(page).toHaveURL(/\/clusters\/c-prod-us-south$/);
  expect(consoleErrors).toEqual([]);
});
