import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { ClusterRow, ErrorBody } from '@keyhaven/contracts';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { ClustersTable } from './clusters-table.tsx';

const rows: ClusterRow[] = [
  {
    id: 'c1',
    name: 'prod',
    location: 'Dallas 10',
    region: 'us-south',
    masterKubeVersion: '1.31.4',
    masterStatus: 'Ready',
    masterHealth: 'normal',
    kmsEnabled: true,
  },
  {
    id: 'c2',
    name: 'staging',
    location: 'Dallas 12',
    region: 'us-south',
    masterKubeVersion: '1.30.8',
    masterStatus: 'KMS feature enablement in progress.',
    masterHealth: 'in_progress',
    kmsEnabled: false,
  },
];

describe('ClustersTable', () => {
  it('shows each cluster with its master status and key management service, and filters by search', async () => {
    server.use(http.get('/api/clusters', () => HttpResponse.json(rows)));
    renderWithProviders(<ClustersTable />);
    const table = await screen.findByRole('table', { name: 'Clusters' });
    const prod = within(table).getByRole('row', { name: /prod/ });
    expect(within(prod).getByRole('link', { name: 'prod' })).toHaveAttribute(
      'href',
      '/clusters/c1',
    );
    expect(prod).toHaveTextContent('Enabled');
    expect(within(table).getByRole('row', { name: /staging/ })).toHaveTextContent(
      'KMS feature enablement in progress.',
    );
    await userEvent.type(screen.getByRole('searchbox', { name: 'Search clusters' }), 'stag');
    expect(within(table).queryByRole('row', { name: /prod/ })).not.toBeInTheDocument();
  });

  it("shows the server's message when clusters cannot be loaded", async () => {
    server.use(
      http.get('/api/clusters', () =>
        HttpResponse.json<ErrorBody>(
          {
            code: 'ENGINE_UNAVAILABLE',
            message: 'The Keyhaven engine is unavailable. Try again shortly.',
          },
          { status: 503 },
        ),
      ),
    );
    renderWithProviders(<ClustersTable />);
    expect(await screen.findByText('Clusters could not be loaded')).toBeInTheDocument();
    expect(
      screen.getByText('The Keyhaven engine is unavailable. Try again shortly.'),
    ).toBeInTheDocument();
  });

  it('explains an empty list', async () => {
    server.use(http.get('/api/clusters', () => HttpResponse.json([])));
    renderWithProviders(<ClustersTable />);
    expect(await screen.findByRole('heading', { name: 'No clusters yet' })).toBeInTheDocument();
  });
});
