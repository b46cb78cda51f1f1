import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import type { RootKey } from '@keyhaven/contracts';
import { rootKeyOf } from '../../../test/fixtures.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { DeleteRootKeyModal } from './delete-root-key-modal.tsx';

const guarded = (dualAuthDelete: RootKey['dualAuthDelete']) =>
  rootKeyOf({ name: 'two-person-key', dualAuthDelete });
const open = async (rootKey: RootKey, username = 'admin') => {
  renderWithProviders(
    <DeleteRootKeyModal
      instanceId="kp-us-south"
      rootKey={rootKey}
      username={username}
      onClose={vi.fn()}
    />,
  );
  return screen.findByRole('dialog', { name: 'Delete root key two-person-key' });
};
const until = '2026-12-14T10:00:00.000Z';

describe('DeleteRootKeyModal under dual authorization', () => {
  it('asks the first Manager to authorize, saying when an earlier authorization lapsed', async () => {
    const dialog = await open(
      guarded({
        enabled: true,
        keySetForDeletion: false,
        authExpiration: until,
        authorizedBy: 'admin',
        lapsed: true,
      }),
    );
    expect(dialog).toHaveTextContent('Deleting this key takes two Managers');
    expect(dialog).toHaveTextContent('The last authorization lapsed on Dec 14, 2026.');
    expect(screen.getByRole('button', { name: 'Authorize deletion' })).toBeEnabled();
  });

  it('lets the one who authorized only wait or cancel', async () => {
    const dialog = await open(
      guarded({
        enabled: true,
        keySetForDeletion: true,
        authExpiration: until,
        authorizedBy: 'admin',
      }),
    );
    expect(dialog).toHaveTextContent(
      'You authorized its deletion until Dec 14, 2026: another Manager must delete it.',
    );
    expect(screen.getByRole('button', { name: 'Cancel authorization' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
  });

  it('lets another Manager delete, naming who authorized it', async () => {
    const dialog = await open(
      guarded({
        enabled: true,
        keySetForDeletion: true,
        authExpiration: until,
        authorizedBy: 'admin',
      }),
      'approver',
    );
    expect(dialog).toHaveTextContent('admin authorized its deletion until Dec 14, 2026.');
    expect(screen.getByRole('button', { name: 'Delete' })).toBeEnabled();
  });
});
