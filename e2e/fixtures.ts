import { test as base, expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const PASSWORD = process.env.KH_E2E_PASSWORD ?? 'e2e-demo-password';

/** The login screen. */
export class LoginPage {
  constructor(readonly page: Page) {}

  async logIn(username: string, password = PASSWORD) {
    await this.page.goto('/login');
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.page.getByRole('button', { name: 'Log in' }).click();
    // Wait for the session before the caller navigates away (a wrong password stays here).
    if (password === PASSWORD) await this.page.waitForURL((url) => url.pathname !== '/login');
  }
}

/** A cluster's Overview: the Summary rows and the Enable/Update modal. */
export class ClusterPage {
  readonly summary: Locator;
  readonly statusRow: Locator;
  readonly kmsRow: Locator;

  constructor(readonly page: Page) {
    this.summary = page.getByRole('table', { name: 'Summary' });
    this.statusRow = this.summary.getByRole('row', { name: /Master status/ });
    this.kmsRow = this.summary.getByRole('row', { name: /Key management service/ });
  }

  async goto(clusterId: string) {
    await this.page.goto(`/clusters/${clusterId}`);
  }

  /** Opens the modal from the Key management service row and returns it. */
  async openKmsModal(verb: 'Enable' | 'Update') {
    await this.kmsRow.getByRole('button', { name: verb }).click();
    return this.page.getByRole('dialog', { name: `${verb} key management service` });
  }

  /** Picks the instance, then opens the root-key list (options are then on the page). */
  async openRootKeys(modal: Locator, instance: RegExp = /keyhaven-key-protect/) {
    await modal.getByRole('combobox', { name: 'Key management service instance' }).click();
    await this.page.getByRole('option', { name: instance }).click();
    await modal.getByRole('combobox', { name: 'Root key' }).click();
  }

  async openTab(name: 'Overview' | 'Secrets' | 'Activity') {
    await this.page.getByRole('tab', { name }).click();
  }

  /** Opens a secret's action menu in the Secrets tab and picks an item; returns the dialog. */
  async secretAction(secret: string, item: 'Reveal values' | 'Verify encryption' | 'Delete') {
    await this.page.getByRole('button', { name: `Actions for ${secret}` }).click();
    await this.page.getByRole('menuitem', { name: item }).click();
    return this.page.getByRole('dialog');
  }

  rootKeyOption(name: string) {
    return this.page.getByRole('option', { name, exact: true });
  }

  /** Enable or Update with a Key Protect root key, and submit. */
  async enableWith(keyName: string, verb: 'Enable' | 'Update' = 'Enable') {
    const modal = await this.openKmsModal(verb);
    await this.openRootKeys(modal);
    await this.rootKeyOption(keyName).click();
    await modal.getByRole('button', { name: verb, exact: true }).click();
  }
}

/** Fails on serious or critical accessibility findings. */
export async function expectAccessible(page: Page) {
  // A Carbon modal that is closing fades out for a moment: half-transparent text is not what a
  // user reads, so closed modals are left out of the scan.
  const results = await new AxeBuilder({ page }).exclude('.cds--modal:not(.is-visible)').analyze();
  const severe = results.violations.filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(
    severe.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
  ).toEqual([]);
}

interface Fixtures {
  loginPage: LoginPage;
  clusterPage: ClusterPage;
  /** Console errors and CSP violations seen on the page; each test ends asserting there were none. */
  consoleErrors: string[];
}

export const test = base.extend<Fixtures>({
  consoleErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await use(errors);
    expect(errors).toEqual([]);
  },
  loginPage: async ({ page }, use) => {
    await use(new LoginPage(page));
  },
  clusterPage: async ({ page }, use) => {
    await use(new ClusterPage(page));
  },
});

export { expect };
