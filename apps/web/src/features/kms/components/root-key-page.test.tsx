import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { KeyState, type KmsInstance, type Me } from '@keyhaven/contracts';
import { rootKeyOf } from '../../../test/fixtures.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { server } from '../../../test/server.ts';
import { RootKeyDetails } from './root-key-page.tsx';

/** Issue 30: a page per root key, saying who uses it, with its actions and why they are off. */
const instance: KmsInstance = {
  id: 'kp-us-south',
  name: 'keyhaven-key-protect',
  provider: 'key-protect',
  region: 'us-south',
  accountId: 'acct-demo',
  privateEndpoint: 'https://private.us-south.kms.example',
  publicEndpoint: 'https://us-south.kms.example',
};
const viewer: Me = {
  id: 'user-viewer',
  username: 'viewer',
  accountId: 'acct-demo',
  platformRoles: [{ clusterId: '*', role: 'Viewer' }],
  serviceRoles: [{ instanceId: 'kp-us-south', role: 'Reader' }],
};
const used = rootKeyOf({
  state: KeyState.Suspended,
  registrations: [
    {
      keyId: 'k1',
      keyVersion: 'v1',
      clusterId: 'c-dev-us-east',
      clusterName: 'dev-us-east',
      kind: 'cluster',
      createdAt: '2026-11-02T00:00:00.000Z',
    },
    {
      keyId: 'k1',
      keyVersion: 'v1',
      clusterId: 'kmsplugin-prod',
      clusterName: 'kmsplugin-prod',
      kind: 'kms-plugin',
      createdAt: '2026-11-03T00:00:00.000Z',
    },
  ],
});

describe('RootKeyDetails', () => {
  it('names who uses a disabled key, links its clusters, and says why a viewer cannot act', async () => {
    server.use(
      http.get('/api/kms/instances/kp-us-south/keys/k1/activity', () => HttpResponse.json([])),
    );
    renderWithProviders(
      <RootKeyDetails rootKey={used} instance={instance} user={viewer} authorizations={null} />,
    );
    expect(screen.getByText(/Root key cluster-root-key-1 is disabled/)).toBeVisible();
    const usedBy = screen.getByRole('table', { name: 'Used by' });
    expect(within(usedBy).getByRole('link', { name: 'dev-us-east' })).toHaveAttribute(
      'href',
      '/clusters/c-dev-us-east',
    );
    // A plug-in has no page of its own: named, not linked.
    expect(within(usedBy).getByText('kmsplugin-prod').closest('a')).toBeNull();
    expect(within(usedBy).getByText('KMS plug-in')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Enable' })).toBeDisabled();
    expect(
      screen.getByText('Enable needs the Manager service role on keyhaven-key-protect.'),
    ).toBeVisible();
    expect(
      screen.getByText('Rotate needs the Writer service role on keyhaven-key-protect.'),
    ).toBeVisible();
    expect(await screen.findByText('Nothing has happened to this root key yet.')).toBeVisible();
  });
});
