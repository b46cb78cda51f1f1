import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import type { Registration } from '@keyhaven/contracts';
import { rootKeyOf } from '../../../test/fixtures.ts';
import { ApiRequestError } from '../../../shared/api/client.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { ConfirmKeyActionModal } from './confirm-key-action-modal.tsx';

const registration = (clusterId: string, clusterName: string): Registration => ({
  keyId: 'k1',
  keyVersion: 'v1',
  clusterId,
  clusterName,
  kind: 'cluster',
  createdAt: '2026-11-01T00:00:00.000Z',
});
const rootKey = rootKeyOf({
  name: 'cluster-root-key-3',
  registrations: [registration('c2', 'dev-us-east'), registration('c1', 'prod-us-south')],
});

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
