import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { SecretMeta } from '@keyhaven/contracts';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
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
