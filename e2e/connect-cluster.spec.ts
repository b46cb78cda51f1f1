import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { expect, expectAccessible, test } from './fixtures.ts';
import { selfSigned } from '../scripts/self-signed.ts';

/**
 * Issue 30, walk fault 1 and 2: an endpoint that completes TLS and then never answers HTTP. The
 * dialog's Cancel works while the check runs (the engine's request ends with it), a slow cluster
 * is reported as that cluster not answering (never as an engine outage), and the error shows at
 * the top of the dialog, in view.
 */
test('Connect cluster: Cancel at any time, and a silent endpoint is that cluster’s failure', async ({
  page,
  loginPage,
}) => {
  test.setTimeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'keyhaven-silent-'));
  const { key, cert } = selfSigned(dir, '127.0.0.1', '127.0.0.1');
  const sockets = new Set<Socket>();
  let closedByPeer = 0;
  const silent = tls.createServer({ key, cert }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => {
      closedByPeer += 1;
      sockets.delete(socket);
    });
    socket.resume(); // read the request, answer nothing
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const server = `https://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  try {
    await loginPage.logIn('admin');
    await page.goto('/clusters');
    const open = async () => {
      await page.getByRole('button', { name: 'Connect cluster' }).click();
      const dialog = page.getByRole('dialog', { name: 'Connect cluster' });
      await dialog.getByLabel('Name').fill('silent-cluster');
      await dialog.getByLabel('API server URL').fill(server);
      await dialog.getByLabel('CA certificate (PEM)').fill(cert);
      await dialog.getByLabel('Service-account token').fill('a-token-never-read');
      await dialog.getByRole('button', { name: 'Connect' }).click();
      await expect(dialog.getByRole('button', { name: 'Checking…' })).toBeVisible();
      return dialog;
    };

    // Cancel while the check waits on the silent server: the dialog closes, the engine's
    // connection to the server is dropped, and nothing was connected.
    const first = await open();
    await expect.poll(() => sockets.size).toBeGreaterThan(0);
    const cancel = first.getByRole('button', { name: 'Cancel' });
    await expect(cancel).toBeEnabled();
    await cancel.click();
    await expect(first).toBeHidden();
    await expect.poll(() => closedByPeer, { timeout: 5_000 }).toBeGreaterThan(0);
    await expect(page.getByRole('table', { name: 'Clusters' })).not.toContainText('silent-cluster');

    // Left to run, the check ends at its own deadline with that cluster's failure, shown at
    // the top of the form; the console's own engine stays up.
    const second = await open();
    const error = second.locator('.kh-form-error');
    await expect(error).toContainText('The cluster was not connected', { timeout: 20_000 });
    await expect(error).toContainText(`the API server at ${server} did not answer within 7 s`);
    await expect(error).toBeInViewport();
    await expect(second).not.toContainText('The Keyhaven engine is not answering');
    await page.screenshot({ path: 'test-results/connect-silent-cluster.png' });
    await expectAccessible(page);
    await second.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('table', { name: 'Clusters' })).toContainText('dev-us-east');
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
