import { beforeEach, describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { server } from '../../../test/server.ts';
import type { Connection } from '@keyhaven/contracts';
import { clusterOf } from '../../../test/fixtures.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { ConnectionPanel } from './connection-panel.tsx';

const connection: Connection = {
  server: 'https://10.0.0.5:6443',
  connectedAt: '2026-11-30T22:00:00.000Z',
  etcd: false,
  plugins: [
    { resource: 'node-1', healthz: 'ok', reportedAt: new Date().toISOString(), stale: false },
  ],
};
const connected = { ...clusterOf({ name: 'real-cluster' }), connection };

const pluginKeys = [
  {
    id: '6f1d2c3b-0000-4000-8000-000000000001',
    name: 'kms-plugin setup by admin',
    createdAt: '2026-11-30T22:00:00.000Z',
    resource: 'node-1',
  },
];

beforeEach(() => {
  server.use(http.get('/api/clusters/c1/plugin-keys', () => HttpResponse.json(pluginKeys)));
});

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

    const kmsOn: typeof connected = {
      ...connected,
      kms: {
        instanceId: 'kp-us-south',
        instanceName: 'keyhaven-kp',
        provider: 'key-protect',
        accountId: 'acct-demo',
        crkId: 'k1',
        crkName: 'cluster-root-key-1',
        keyVersion: 'v1',
        privateEndpoint: true,
        previousCrkIds: [],
      },
    };
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

  it('offers Remove for a silent plug-in only, and removes it after a confirmation', async () => {
    const silent = {
      ...connected,
      connection: {
        ...connected.connection,
        plugins: [
          ...connected.connection.plugins,
          {
            resource: 'node-2',
            healthz: 'ok',
            reportedAt: '2026-11-30T22:00:00.000Z',
            stale: true,
          },
        ],
      },
    };
    const removed: string[] = [];
    server.use(
      http.delete('/api/clusters/c1/plugins/:resource', ({ params }) => {
        removed.push(String(params.resource));
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderWithProviders(<ConnectionPanel cluster={silent} canAdminister />);
    expect(screen.getByRole('row', { name: /KMS plug-ins/ })).toHaveTextContent(/node-2 Silent/);
    expect(screen.queryByRole('button', { name: 'Remove node-1' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Remove node-2' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove KMS plug-in node-2' });
    expect(dialog).toHaveTextContent(/its API keys are revoked/);
    await userEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(removed).toEqual(['node-2']);
  });

  it('lists the plug-in’s API keys for an Administrator, and revokes one after a confirmation', async () => {
    const revoked: string[] = [];
    server.use(
      http.delete('/api/clusters/c1/plugin-keys/:keyId', ({ params }) => {
        revoked.push(String(params.keyId));
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderWithProviders(<ConnectionPanel cluster={connected} canAdminister />);
    const row = await screen.findByRole('row', { name: /Plug-in API keys/ });
    await waitFor(() => expect(row).toHaveTextContent(/serves node-1/));
    const id = pluginKeys[0]?.id ?? '';
    await userEvent.click(screen.getByRole('button', { name: `Revoke ${id}` }));
    expect(screen.getByRole('dialog', { name: `Revoke API key ${id}` })).toHaveTextContent(
      /The KMS plug-in of node-1 uses it: that plug-in stops working at once/,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Revoke' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(revoked).toEqual([id]);
  });

  it('shows no plug-in keys to a viewer', () => {
    renderWithProviders(<ConnectionPanel cluster={connected} canAdminister={false} />);
    expect(screen.queryByRole('row', { name: /Plug-in API keys/ })).toBeNull();
  });
});
