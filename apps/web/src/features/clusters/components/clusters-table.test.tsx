import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { ClusterRow, ErrorBody } from '@keyhaven/contracts';
import { FakeEventSource } from '../../../test/fake-event-source.ts';
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
    kms: { instanceName: 'keyhaven-key-protect', rootKeyName: 'cluster-root-key-1' },
    server: null,
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
    kms: null,
    server: 'https://10.0.0.5:6443',
  },
];

describe('ClustersTable', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('follows status changes from one stream for the whole list, and says when it is cut', async () => {
    let served = rows;
    server.use(http.get('/api/clusters', () => HttpResponse.json(served)));
    renderWithProviders(<ClustersTable />);
    const table = await screen.findByRole('table', { name: 'Clusters' });
    expect(FakeEventSource.instances.map((s) => s.url)).toEqual(['/api/clusters/events']);
    const source = FakeEventSource.instances[0] as FakeEventSource;
    const row = (name: RegExp) => within(table).getByRole('row', { name });
    const status = (
      clusterId: string,
      masterStatus: string,
      masterHealth: ClusterRow['masterHealth'],
      progress: { done: number; total: number } | null,
    ) => ({
      clusterId,
      revision: 7,
      masterStatus,
      masterHealth,
      modifiedDate: '2026-11-30T00:00:00Z',
      progress,
      keyProtectEnabled: true,
    });
    // A change of status shows in its row from the event alone (no refetch: KMS stays enabled).
    const disabled = 'Root key cluster-root-key-1 is disabled: enable it to read secrets again.';
    await act(async () => source.emit('status', status('c1', disabled, 'warning', null)));
    // (Query notifies its observers on the next tick.)
    await waitFor(() => expect(row(/prod/)).toHaveTextContent(disabled));
    // A finished job: Ready at once, and the refetched list names the new key.
    served = rows.map((r) =>
      r.id === 'c2'
        ? {
            ...r,
            masterStatus: 'Ready',
            masterHealth: 'normal',
            kmsEnabled: true,
            kms: { instanceName: 'keyhaven-key-protect', rootKeyName: 'cluster-root-key-2' },
          }
        : r,
    );
    const enabling = 'KMS feature enablement in progress.';
    await act(async () =>
      source.emit('status', status('c2', enabling, 'in_progress', { done: 5, total: 10 })),
    );
    await act(async () => source.emit('status', status('c2', 'Ready', 'normal', null)));
    await waitFor(() => expect(row(/staging/)).toHaveTextContent('Ready'));
    expect(await within(row(/staging/)).findByText(/root key cluster-root-key-2/)).toBeVisible();
    await act(async () => source.emit('error'));
    expect(screen.getByText('Live status is interrupted')).toBeVisible();
    await act(async () => source.emit('open'));
    expect(screen.queryByText('Live status is interrupted')).not.toBeInTheDocument();
  });

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

  it('says when the search matches no cluster, and clears it', async () => {
    server.use(http.get('/api/clusters', () => HttpResponse.json(rows)));
    renderWithProviders(<ClustersTable />);
    const table = await screen.findByRole('table', { name: 'Clusters' });
    const search = screen.getByRole('searchbox', { name: 'Search clusters' });
    await userEvent.type(search, 'stag');
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    await userEvent.type(search, 'x');
    expect(within(table).getByRole('heading', { name: 'No clusters match “stagx”' })).toBeVisible();
    await userEvent.click(within(table).getByRole('button', { name: 'Clear the search' }));
    expect(search).toHaveValue('');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
  });
});
