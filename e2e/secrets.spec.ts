import { expect, expectAccessible, test } from './fixtures.ts';

test('secrets: create, reveal, verify the stored bytes, delete, and see it all in Activity', async ({
  page,
  loginPage,
  clusterPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await clusterPage.goto('c-staging-us-south');
  await clusterPage.openTab('Secrets');
  const table = page.getByRole('table', { name: 'Secrets' });
  await expect(table).toContainText('app-secret-00000');
  await expect(table).not.toContainText('demo-value');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Create secret' }).click();
  const create = page.getByRole('dialog', { name: 'Create secret' });
  await create.getByLabel('Name', { exact: true }).fill('Bad_Name');
  await expect(create.getByText(/^Must be a lowercase DNS name .*\.$/)).toBeVisible();
  await create.getByLabel('Name', { exact: true }).fill('e2e-db-password');
  await create.getByLabel('Value', { exact: true }).fill('correct horse battery staple');
  // The value is hidden while typed unless asked for.
  const masking = () =>
    create
      .getByLabel('Value', { exact: true })
      .evaluate((el) => getComputedStyle(el).getPropertyValue('-webkit-text-security'));
  expect(await masking()).toBe('disc');
  await create.getByText('Show the value').click();
  expect(await masking()).toBe('none');
  await expectAccessible(page);
  await create.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(create).toBeHidden();

  // What was created is confirmed and shown: the search narrows the table to it.
  await expect(page.getByText('Secret default/e2e-db-password created')).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search secrets' })).toHaveValue(
    'default/e2e-db-password',
  );
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('e2e-db-password');
  const reveal = await clusterPage.secretAction('default/e2e-db-password', 'Reveal values');
  await expect(reveal).toContainText('correct horse battery staple');
  await reveal.getByRole('button', { name: 'Close' }).click();

  // The stored bytes agree with the list: KMS prefix when the cluster encrypts (another spec may
  // have enabled KMS on it), the plain JSON otherwise.
  const encrypted = await table
    .getByRole('row', { name: /e2e-db-password/ })
    .getByText('Encrypted with KMS', { exact: true })
    .isVisible();
  const verify = await clusterPage.secretAction('default/e2e-db-password', 'Verify encryption');
  await expect(verify).toContainText(
    'etcdctl get /clusters/c-staging-us-south/registry/secrets/default/e2e-db-password',
  );
  const dump = verify.getByLabel('Stored bytes as a hex dump');
  if (encrypted) {
    await expect(verify).toContainText('The stored value starts with k8s:enc:kms:v2:key-protect:');
    await expect(dump).toContainText('|k8s:enc:kms:v2:k|');
    await expect(dump).not.toContainText('correct horse');
  } else {
    await expect(verify).toContainText('The stored value is the plain secret (no KMS prefix).');
    await expect(dump).toContainText('|{"apiVersion":"v|');
  }
  // One Escape closes it: focus starts in the content, not on the Close button's tooltip.
  await page.keyboard.press('Escape');
  await expect(verify).toBeHidden();

  const remove = await clusterPage.secretAction('default/e2e-db-password', 'Delete');
  await remove.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(remove).toBeHidden();
  await expect(table).toContainText('No secrets match “default/e2e-db-password”');
  await page.getByRole('button', { name: 'Clear the search' }).click();
  await expect(table).toContainText('app-secret-00000');
  await expect(table).not.toContainText('e2e-db-password');

  await clusterPage.openTab('Activity');
  const activity = page.getByRole('table', { name: 'Activity' });
  await expect(activity.getByRole('row').nth(1)).toContainText(
    'Deleted secret default/e2e-db-password.',
  );
  await expect(activity).toContainText('Created secret default/e2e-db-password.');
  await expectAccessible(page);
  expect(consoleErrors).toEqual([]);
});

test('a viewer sees everything readable; actions they may not take are disabled, naming the role', async ({
  page,
  loginPage,
  clusterPage,
  consoleErrors,
}) => {
  await loginPage.logIn('viewer');
  await clusterPage.goto('c-staging-us-south');
  const enable = clusterPage.kmsRow.getByRole('button', { name: /Enable|Update/ });
  await expect(enable).toBeDisabled();
  // Said on the page beside the button and tied to it (no hover title, which keyboard users never
  // get), and that the session is read-only.
  await expect(enable).toHaveAccessibleDescription(
    /^(Enable|Update) needs the Administrator platform role on this cluster\.$/,
  );
  await expect(clusterPage.kmsRow).toContainText(
    'needs the Administrator platform role on this cluster.',
  );
  await expect(page.getByText('Read-only', { exact: true })).toBeVisible();
  await clusterPage.openTab('Secrets');
  await expect(page.getByRole('table', { name: 'Secrets' })).toContainText('app-secret-00000');
  const create = page.getByRole('button', { name: 'Create secret' });
  await expect(create).toBeDisabled();
  await expect(create).toHaveAccessibleDescription(
    'Create secret needs the Editor platform role on this cluster.',
  );
  await expect(page.getByText('Create secret needs the Editor platform role')).toBeVisible();
  await page.getByRole('button', { name: 'Actions for default/app-secret-00000' }).click();
  await expect(page.getByRole('menuitem', { name: 'Reveal values' })).toBeDisabled();
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toBeDisabled();
  await expect(
    page.getByRole('menuitem', { name: 'Verify encryption (needs Editor)' }),
  ).toBeDisabled();
  await page.keyboard.press('Escape');

  // Authorizations: the viewer is in the account but not its Administrator, and Create says so.
  await page.goto('/authorizations');
  await expect(page.getByRole('button', { name: 'Create (needs Administrator)' })).toBeDisabled();

  // Key management: readable, but every action needs a service role the viewer lacks.
  await page.goto('/kms');
  const createKey = page.getByRole('button', { name: 'Create root key' });
  await expect(createKey).toBeDisabled();
  await expect(createKey).toHaveAccessibleDescription(
    /^Create root key needs the Writer service role on [\w-]+\.$/,
  );
  await page.getByRole('button', { name: 'Actions for cluster-root-key-2' }).click();
  await expect(page.getByRole('menuitem', { name: 'Rotate' })).toBeDisabled();
  await expect(page.getByRole('menuitem', { name: 'Delete' })).toBeDisabled();
  await expectAccessible(page);
  await page.keyboard.press('Escape');

  // A big cluster: numbered pages with a choice of size, and a search on the server.
  await clusterPage.goto('c-prod-us-south');
  await clusterPage.openTab('Secrets');
  const secrets = page.getByRole('table', { name: 'Secrets' });
  await expect(page.getByText('1–50 of 20,000 items')).toBeVisible();
  await page.getByLabel('Secrets per page:').selectOption('100');
  await expect(page.getByText('1–100 of 20,000 items')).toBeVisible();
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByText('101–200 of 20,000 items')).toBeVisible();
  await expect(secrets.getByRole('row')).toHaveCount(101);
  const search = page.getByRole('searchbox', { name: 'Search secrets' });
  await search.fill('app-secret-1999');
  await expect(page.getByText('1–10 of 10 items')).toBeVisible();
  await expect(secrets.getByRole('row')).toHaveCount(11);
  await expect(secrets).toContainText('app-secret-19999');
  await page.screenshot({ path: 'test-results/secrets-search.png' });
  await expectAccessible(page);
  await search.fill('no-such-secret');
  await expect(secrets).toContainText('No secrets match “no-such-secret”');
  await page.getByRole('button', { name: 'Clear the search' }).click();
  await expect(page.getByText('1–100 of 20,000 items')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});
