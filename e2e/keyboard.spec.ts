import type { Locator, Page } from '@playwright/test';
import { expect, expectAccessible, PASSWORD, test } from './fixtures.ts';

/** Presses Tab until the element has the focus (as a keyboard user would), then checks it. */
async function tabTo(page: Page, target: Locator) {
  for (let i = 0; i < 40 && !(await target.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press('Tab');
  await expect(target).toBeFocused();
}

test('keyboard only: log in, open a cluster and enable KMS without the mouse', async ({
  page,
  clusterPage,
  consoleErrors,
}) => {
  const { kmsRow, statusRow } = clusterPage;
  await page.goto('/clusters/c-staging-us-south');
  // Logged out: the login page, then back where we were going.
  const username = page.getByLabel('Username');
  await expect(username).toBeVisible();
  await expectAccessible(page);
  await tabTo(page, username);
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'staging-us-south' })).toBeVisible();

  const enable = kmsRow.getByRole('button', { name: 'Enable' });
  await tabTo(page, enable);
  await page.keyboard.press('Enter');
  const modal = page.getByRole('dialog', { name: 'Enable key management service' });
  const instance = modal.getByRole('combobox', { name: 'Key management service instance' });
  // The modal takes the focus as it opens: its first field, not the page behind it.
  await expect(instance).toBeFocused();
  await page.keyboard.type('keyhaven-key');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const rootKey = modal.getByRole('combobox', { name: 'Root key' });
  await tabTo(page, rootKey);
  await page.keyboard.type('cluster-root-key-1');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(rootKey).toHaveValue('cluster-root-key-1');
  const submit = modal.getByRole('button', { name: 'Enable', exact: true });
  await expect(submit).toBeEnabled();
  await tabTo(page, submit);
  await page.keyboard.press('Enter');
  await expect(modal).toBeHidden();
  await expect(statusRow).toContainText('Ready', { timeout: 60_000 });
  await expect(kmsRow).toContainText('Root key cluster-root-key-1');
  await expectAccessible(page);
  expect(consoleErrors).toEqual([]);
});

test('keyboard only at 1440 px: the side navigation reaches every page', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await loginPage.logIn('admin');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Side navigation' });
  for (const [link, heading] of [
    ['Key management', 'Key management'],
    ['Authorizations', 'Authorizations'],
    ['Audit log', 'Audit log'],
    ['Kubernetes clusters', 'Kubernetes clusters'],
    ['Dashboard', 'Dashboard'],
  ] as const) {
    await page.locator('body').focus();
    await tabTo(page, nav.getByRole('link', { name: link }));
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: heading, level: 1 })).toBeVisible();
  }
  expect(consoleErrors).toEqual([]);
});
