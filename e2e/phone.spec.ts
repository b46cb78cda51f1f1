import type { Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures.ts';

/**
 * Issue 30: every page fits a phone (390 × 844) without scrolling sideways, with its status and
 * actions in view, and axe finds nothing serious there.
 */
test.use({ viewport: { width: 390, height: 844 } });

const scrollWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

/** The innermost elements that reach past the right edge, to say what to fix. */
const overflowing = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 391 && e.children.length === 0)
      .slice(0, 8)
      .map(
        (e) =>
          `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent?.slice(0, 30)}"`,
      ),
  );

async function fits(page: Page, what: string) {
  await page.waitForLoadState('networkidle');
  // A dialog fades in: measured and checked once it is drawn.
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running'),
  );
  const width = await scrollWidth(page);
  const culprits = width > 390 ? (await overflowing(page)).join('; ') : '';
  expect(width, `${what} is wider than the phone: ${culprits}`).toBeLessThanOrEqual(390);
  await expectAccessible(page);
}

test('every page fits 390 px', async ({ page, loginPage }) => {
  await page.goto('/login');
  await fits(page, 'login');
  await loginPage.logIn('admin');

  await page.goto('/clusters');
  await expect(page.getByRole('table', { name: 'Clusters' })).toContainText('dev-us-east');
  await fits(page, 'clusters');
  await page.screenshot({ path: 'test-results/phone-clusters.png', fullPage: true });

  await page.goto('/clusters/c-dev-us-east');
  // Whatever state earlier specs left the cluster in (Ready, or a warning about its key).
  await expect(page.getByRole('table', { name: 'Summary' })).toContainText('Washington DC 1');
  await fits(page, 'cluster overview');
  await page.screenshot({ path: 'test-results/phone-cluster.png', fullPage: true });
  await page.getByRole('button', { name: /Enable|Update/ }).click();
  const dialog = page.getByRole('dialog', { name: /key management service/ });
  await expect(dialog).toBeVisible();
  await fits(page, 'the Enable dialog');
  await page.screenshot({ path: 'test-results/phone-enable.png' });
  const box = await dialog.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  await page.keyboard.press('Escape');

  for (const tab of ['Secrets', 'Activity']) {
    await page.goto(`/clusters/c-dev-us-east?tab=${tab.toLowerCase()}`);
    await expect(page.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
    await fits(page, `cluster ${tab}`);
  }

  await page.goto('/kms');
  await expect(page.getByRole('table', { name: 'Root keys' })).toContainText('cluster-root-key-1');
  await fits(page, 'key management');
  await page.screenshot({ path: 'test-results/phone-kms.png', fullPage: true });
  await page.getByRole('link', { name: 'cluster-root-key-1' }).first().click();
  await expect(page.getByRole('table', { name: 'Used by' })).toBeVisible();
  await fits(page, 'root key');
  await page.screenshot({ path: 'test-results/phone-root-key.png', fullPage: true });

  await page.goto('/dashboard');
  await expect(
    page.getByTestId('cluster-states-chart').locator('svg.layout-svg-wrapper').first(),
  ).toBeVisible();
  await fits(page, 'dashboard');
  await page.screenshot({ path: 'test-results/phone-dashboard.png', fullPage: true });

  await page.goto('/audit');
  await expect(page.getByRole('table', { name: 'Events' })).toContainText('admin');
  await fits(page, 'audit log');
  await page.screenshot({ path: 'test-results/phone-audit.png', fullPage: true });

  for (const path of ['/authorizations', '/access']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await fits(page, path);
  }

  // Log out is in reach.
  await expect(page.getByRole('button', { name: /Log out/ })).toBeInViewport();
});
