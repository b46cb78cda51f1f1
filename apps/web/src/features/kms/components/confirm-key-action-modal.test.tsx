import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import type { RootKey } from '@keyhaven/contracts';
import { ApiRequestError } from '../../../shared/api/client.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { ConfirmKeyActionModal } from './confirm-key-action-modal.tsx';

const rootKey = {
  id: 'k1',
  name: 'cluster-root-key-3',
  registrations: [{ clusterName: 'dev-us-east' }, { clusterName: 'prod-us-south' }],
} as unknown as RootKey;

describe('ConfirmKeyActionModal', () => {
  it('names the clusters, and says what was not done when the engine refuses', async () => {
    renderWithProviders(
      <ConfirmKeyActionModal
        rootKey={rootKey}
        action="disable"
        pending={false}
        error={new ApiRequestError(403, 'FORBIDDEN', 'Needs the Manager role on kp-us-south.')}
        onConfirm={vi.fn()}
        onClose={vi.fn()}
      />,
    );
    const dialog = await screen.findByRole('dialog', {
      name: 'Disable root key cluster-root-key-3',
    });
    expect(dialog).toHaveTextContent('Used by 2 clusters: dev-us-east, prod-us-south.');
    expect(screen.getByText('Root key cluster-root-key-3 was not disabled')).toBeVisible();
    expect(screen.getByText('Needs the Manager role on kp-us-south.')).toBeVisible();
  });
});
