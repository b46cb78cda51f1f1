import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import type { Cluster } from '@keyhaven/contracts';
import { renderWithProviders } from '../../../test/render.tsx';
import { ConnectionPanel } from './connection-panel.tsx';

const connected = {
  id: 'c1',
  name: 'real-cluster',
  kms: null,
  connection: {
    server: 'https://10.0.0.5:6443',
    connectedAt: '2026-11-30T22:00:00.000Z',
    etcd: false,
    plugins: [{ resource: 'node-1', healthz: 'ok', reportedAt: new Date().toISOString() }],
  },
} as unknown as Cluster & { connection: NonNullable<Cluster['connection']> };

describe('ConnectionPanel', () => {
  it('says beside the buttons why they are disabled', () => {
    const { unmount } = renderWithProviders(
      <ConnectionPanel cluster={connected} canAdminister={false} />,
    );
    for (const name of ['Set up KMS plug-in', 'Disconnect']) {
      expect(screen.getByRole('button', { name })).toBeDisabled();
      expect(screen.getByRole('button', { name })).toHaveAccessibleDescription(
        'Managing the connection needs the Administrator platform role on this cluster.',
      );
    }
    unmount();

    const kmsOn = { ...connected, kms: {} as Cluster['kms'] };
    renderWithProviders(<ConnectionPanel cluster={kmsOn} canAdminister />);
    expect(screen.getByRole('button', { name: 'Set up KMS plug-in' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Disconnect' })).toHaveAccessibleDescription(
      'Disconnect is not possible. KMS is enabled: it cannot be disabled, so the cluster stays connected.',
    );
  });

  it('shows each plug-in’s health and how fresh its report is', () => {
    renderWithProviders(<ConnectionPanel cluster={connected} canAdminister />);
    expect(screen.getByRole('row', { name: /KMS plug-ins/ })).toHaveTextContent(
      'node-1 Healthy reported just now',
    );
    expect(screen.getByRole('button', { name: 'Disconnect' })).toBeEnabled();
  });
});
