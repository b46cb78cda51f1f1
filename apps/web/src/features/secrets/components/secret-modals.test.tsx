import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { SecretMeta } from '@keyhaven/contracts';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { CreateSecretModal } from './create-secret-modal.tsx';
import { DeleteSecretModal } from './delete-secret-modal.tsx';
import { RevealSecretModal } from './reveal-secret-modal.tsx';
import { VerifyEncryptionModal } from './verify-encryption-modal.tsx';

const secret: SecretMeta = {
  namespace: 'default',
  name: 'db',
  storeKey: '/registry/secrets/default/db',
  encrypted: false,
  size: 10,
  modRevision: 3,
};
const path = '/api/clusters/c1/secrets/default/db';

describe('Reveal and Verify open on their content, so the first Escape closes them', () => {
  it.each([
    ['Verify', VerifyEncryptionModal],
    ['Reveal', RevealSecretModal],
  ])('%s', async (_, Dialog) => {
    server.use(
      http.get(`${path}/raw`, () =>
        HttpResponse.json({
          storeKey: secret.storeKey,
          value: Buffer.from('plain bytes').toString('base64'),
          prefix: null,
          encrypted: false,
        }),
      ),
      http.get(path, () =>
        HttpResponse.json({ ...secret, type: 'Opaque', data: { password: 'cw==' } }),
      ),
    );
    const onClose = vi.fn();
    renderWithProviders(<Dialog clusterId="c1" secret={secret} onClose={onClose} />);
    const dialog = await screen.findByRole('dialog');
    // Focus starts in the content, not on the Close button (whose tooltip would take Escape).
    await waitFor(() => expect(document.activeElement).toHaveClass('cds--modal-content'));
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('the secret dialogs speak one style', () => {
  it('names a field’s problem in a sentence, and a refusal in a light notification', async () => {
    server.use(
      http.post('/api/clusters/c1/secrets', () =>
        HttpResponse.json(
          { code: 'SECRET_EXISTS', message: 'Secret default/db already exists.' },
          { status: 409 },
        ),
      ),
    );
    renderWithProviders(<CreateSecretModal clusterId="c1" onClose={vi.fn()} onCreated={vi.fn()} />);
    const dialog = await screen.findByRole('dialog', { name: 'Create secret' });
    await userEvent.type(within(dialog).getByLabelText('Name'), 'Bad_Name');
    expect(
      within(dialog).getByText('Must be a lowercase DNS name (a-z, 0-9, "-", ".").'),
    ).toBeVisible();
    await userEvent.clear(within(dialog).getByLabelText('Name'));
    await userEvent.type(within(dialog).getByLabelText('Name'), 'db');
    const value = within(dialog).getByLabelText('Value');
    await userEvent.type(value, 's3cret');
    // What is typed is masked until the user asks to see it.
    expect(value.closest('.kh-masked')).not.toBeNull();
    await userEvent.click(within(dialog).getByLabelText('Show the value'));
    expect(value.closest('.kh-masked')).toBeNull();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    const refusal = await within(dialog).findByText('The secret was not created');
    expect(refusal.closest('.cds--inline-notification')).toHaveClass(
      'cds--inline-notification--low-contrast',
    );
    expect(within(dialog).getByText('Secret default/db already exists.')).toBeVisible();
  });

  it('titles each dialog with its action and the secret', async () => {
    renderWithProviders(<DeleteSecretModal clusterId="c1" secret={secret} onClose={vi.fn()} />);
    expect(await screen.findByRole('dialog', { name: 'Delete secret default/db' })).toBeVisible();
  });
});

describe('the revealed values', () => {
  it('copies a value and hides them all on request', async () => {
    server.use(
      http.get(path, () =>
        HttpResponse.json({ ...secret, type: 'Opaque', data: { password: 'czNjcjN0' } }),
      ),
    );
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    renderWithProviders(<RevealSecretModal clusterId="c1" secret={secret} onClose={vi.fn()} />);
    const list = await screen.findByRole('table', { name: 'Secret values' });
    await within(list).findByText('s3cr3t');
    await user.click(screen.getByRole('button', { name: 'Copy the value of password' }));
    expect(writeText).toHaveBeenCalledWith('s3cr3t');
    await user.click(screen.getByRole('button', { name: 'Hide values' }));
    expect(within(list).queryByText('s3cr3t')).toBeNull();
    expect(within(list).getByText('••••••••')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show values' }));
    expect(within(list).getByText('s3cr3t')).toBeInTheDocument();
  });
});
