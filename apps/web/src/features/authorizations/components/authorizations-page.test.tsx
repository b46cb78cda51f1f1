import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import type { AuthorizationPolicy, Me } from '@keyhaven/contracts';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { AuthorizationsPage } from './authorizations-page.tsx';

/**
 * Issue 30, walk fault 5: disabled means disabled with the real reason in text. A viewer of the
 * account that owns an authorization lacks a role there; it is not "another account's".
 */
const viewer: Me = {
  id: 'user-viewer',
  username: 'viewer',
  accountId: 'acct-demo',
  platformRoles: [{ clusterId: '*', role: 'Viewer' }],
  serviceRoles: [{ instanceId: 'kp-us-south', role: 'Reader' }],
};
const policy = (id: string, accountId: string): AuthorizationPolicy => ({
  id,
  source: { accountId: 'acct-demo', serviceName: 'containers-kubernetes' },
  target: { accountId, serviceName: 'key-protect', instanceId: null, instanceName: null },
  roles: ['Reader'],
  delegation: false,
  createdAt: '2026-12-01T10:00:00.000Z',
  createdBy: 'admin',
  dependents: [],
});

describe('AuthorizationsPage for a viewer', () => {
  it('says in each disabled button why: a role missing here, or another account’s', async () => {
    server.use(
      http.get('/api/authorizations', () =>
        HttpResponse.json([policy('own', 'acct-demo'), policy('theirs', 'acct-partner')]),
      ),
    );
    renderWithProviders(<AuthorizationsPage user={viewer} instances={[]} />);
    expect(
      await screen.findByRole('button', { name: 'Create (needs Administrator)' }),
    ).toBeDisabled();
    const deletes = await screen.findAllByRole('button', { name: /^Delete/ });
    expect(deletes.map((b) => b.textContent)).toEqual([
      'Delete (needs Administrator) authorization to Key Protect: all instances',
      'Delete (only account acct-partner can) authorization to Key Protect: all instances',
    ]);
    for (const button of deletes) expect(button).toBeDisabled();
  });
});
