import { expect, expectAccessible, test } from './fixtures.ts';

test('an Administrator invites a second Manager, who then sees the instance’s keys', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.getByRole('link', { name: 'Access' }).click();
  await expect(page.getByRole('heading', { name: 'Access', level: 1 })).toBeVisible();
  const users = page.getByRole('table', { name: 'Users' });
  await expect(users.getByRole('row', { name: /admin/ }).first()).toContainText('Administrator');

  await page.getByRole('button', { name: 'Invite user' }).click();
  const invite = page.getByRole('dialog', { name: 'Invite user' });
  await invite.getByLabel('Username').fill('e2e-manager');
  await invite.getByLabel('First password', { exact: true }).fill('e2e-manager-pass');
  await invite.getByRole('button', { name: 'Invite' }).click();
  await expect(invite).toBeHidden();
  await page.getByRole('button', { name: 'Grant access to e2e-manager' }).click();
  const grant = page.getByRole('dialog', { name: 'Grant access to e2e-manager' });
  await grant.getByLabel('KMS instance', { exact: true }).selectOption('kp-us-south');
  await grant.getByLabel('Role', { exact: true }).selectOption('Manager');
  await expectAccessible(page);
  await grant.getByRole('button', { name: 'Grant' }).click();
  await expect(grant).toBeHidden();
  const policies = page.getByRole('table', { name: 'Access policies' });
  await expect(policies.getByRole('row', { name: /e2e-manager/ })).toContainText(
    'ManagerKMS instance keyhaven-key-protect',
  );
  await page.screenshot({ path: 'test-results/access-1440.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: 'test-results/access-390.png', fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });

  // The new Manager logs in and reads the instance's root keys.
  await page.context().clearCookies();
  await loginPage.logIn('e2e-manager', 'e2e-manager-pass');
  await page.waitForURL((url) => url.pathname !== '/login');
  await page.goto('/kms?instance=kp-us-south');
  await expect(
    page.getByRole('table', { name: 'Root keys' }).getByRole('row', { name: /cluster-root-key-1/ }),
  ).toBeVisible();
  await page.goto('/access');
  await expect(page.getByText(/Only an account Administrator/)).toBeVisible();

  // Removed, they cannot log in again.
  await page.context().clearCookies();
  await loginPage.logIn('admin');
  await page.goto('/access');
  await page.getByRole('button', { name: 'Remove e2e-manager' }).click();
  await page
    .getByRole('dialog', { name: 'Remove e2e-manager' })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(users.getByRole('row', { name: /e2e-manager/ })).toHaveCount(0);
  expect(consoleErrors).toEqual([]);
});
