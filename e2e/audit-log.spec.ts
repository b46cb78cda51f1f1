import { readFileSync } from 'node:fs';
import { expect, expectAccessible, test } from './fixtures.ts';

/**
 * Issue 30: the account's audit log, with every change by every user and service, filtered by
 * who, what, resource and time (kept in the URL), and exported as CADF-like JSON lines. Runs after
 * access.spec.ts, whose invitation and grant it finds.
 */
test('the audit log filters by who and what, keeps the filters in the URL, and exports them', async ({
  page,
  loginPage,
  consoleErrors,
}) => {
  await loginPage.logIn('admin');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
  const log = page.getByRole('table', { name: 'Events' });
  await expect(log).toContainText('Created root key cluster-root-key-1.');
  await expect(log).toContainText('Invited e2e-manager to the account.');
  await expectAccessible(page);

  await page.getByLabel('Who').fill('admin');
  await page.getByLabel('What').selectOption('account');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/\/audit\?actor=admin&action=account$/);
  await expect(log).toContainText('Invited e2e-manager to the account.');
  await expect(log).not.toContainText('Created root key');
  const rows = log.locator('tbody tr');
  const shown = await rows.count();
  expect(shown).toBeGreaterThanOrEqual(2); // the invitation and the grant
  for (let i = 0; i < shown; i++) await expect(rows.nth(i)).toContainText('account.user');

  // A reload keeps the filters, in the form and in the table.
  await page.reload();
  await expect(page.getByLabel('Who')).toHaveValue('admin');
  await expect(page.getByLabel('What')).toHaveValue('account');
  await expect(rows).toHaveCount(shown);
  await page.screenshot({ path: 'test-results/audit-log.png', fullPage: true });

  // The export has what the table shows, one CADF-like event per line.
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON lines' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^keyhaven-audit-.*\.jsonl$/);
  const lines = readFileSync((await download.path()) as string, 'utf8')
    .trim()
    .split('\n');
  expect(lines).toHaveLength(shown);
  for (const line of lines)
    expect(JSON.parse(line)).toMatchObject({
      action: 'keyhaven.account.user',
      outcome: 'success',
      initiator: { name: 'admin' },
      target: { typeURI: 'iam/account' },
      observer: { name: 'Keyhaven' },
      account: 'acct-demo',
    });
  await expect(page.getByText(`Exported ${shown} events`)).toBeVisible();

  // A resource nobody touched: said, not an empty table.
  await page.getByLabel('Resource ID').fill('c-nowhere');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(log).toContainText('No event matches these filters.');
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(log).toContainText('Created root key cluster-root-key-1.');
  expect(consoleErrors).toEqual([]);
});

test('a viewer is told which roles the audit log needs', async ({ page, loginPage }) => {
  await loginPage.logIn('viewer');
  await page.goto('/audit');
  await expect(page.getByText('The audit log could not be loaded')).toBeVisible();
  await expect(
    page.getByText(/Viewer platform role on all clusters and the Reader service role/),
  ).toBeVisible();
  await expectAccessible(page);
});
