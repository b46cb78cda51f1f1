import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type { AccessPolicy, AccessPolicyRequest, Me, User } from '@keyhaven/contracts';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { AccessPage } from './access-page.tsx';

const admin: Me = {
  id: 'user-admin',
  username: 'admin',
  accountId: 'acct-demo',
  platformRoles: [{ clusterId: '*', role: 'Administrator' }],
  serviceRoles: [{ instanceId: '*', role: 'Manager' }],
};
const users: User[] = [
  { ...admin, administrator: true },
  {
    id: 'user-approver',
    username: 'approver',
    accountId: 'acct-demo',
    platformRoles: [],
    serviceRoles: [{ instanceId: 'kp-us-south', role: 'Manager' }],
    administrator: false,
    createdAt: '2026-12-01T10:00:00.000Z',
    createdBy: 'admin',
  },
];
const policy: AccessPolicy = {
  id: 'p1',
  type: 'access',
  subjects: [{ attributes: [{ name: 'iam_id', value: 'user-approver' }] }],
  roles: [{ role_id: 'Manager' }],
  resources: [
    {
      attributes: [
        { name: 'serviceName', value: 'kms' },
        { name: 'serviceInstance', value: 'kp-us-south' },
      ],
    },
  ],
};
const instances = [
  {
    id: 'kp-us-south',
    name: 'keyhaven-key-protect',
    provider: 'key-protect' as const,
    region: 'us-south',
    accountId: 'acct-demo',
    privateEndpoint: 'https://private',
    publicEndpoint: 'https://public',
  },
];

function serve() {
  const sent: { invited?: unknown; granted?: AccessPolicyRequest } = {};
  server.use(
    http.get('/api/users', () => HttpResponse.json({ users })),
    http.get('/api/access-policies', () => HttpResponse.json({ policies: [policy] })),
    http.post('/api/users', async ({ request }) => {
      sent.invited = await request.json();
      return HttpResponse.json(
        { code: 'USERNAME_TAKEN', message: 'The username approver is taken.' },
        { status: 409 },
      );
    }),
    http.post('/api/access-policies', async ({ request }) => {
      sent.granted = (await request.json()) as AccessPolicyRequest;
      return HttpResponse.json({ ...policy, id: 'p2' }, { status: 201 });
    }),
  );
  return sent;
}

describe('AccessPage', () => {
  it('shows users, the Administrator, and who holds which role where, by name', async () => {
    serve();
    renderWithProviders(<AccessPage user={admin} instances={instances} clusters={[]} />);
    const usersTable = await screen.findByRole('table', { name: 'Users' });
    expect(within(usersTable).getAllByRole('row')[1]).toHaveTextContent('admin AdministratorYou');
    expect(within(usersTable).getAllByRole('row')[2]).toHaveTextContent(
      'approverDec 1, 2026by admin',
    );
    const policies = screen.getByRole('table', { name: 'Access policies' });
    expect(within(policies).getAllByRole('row')[1]).toHaveTextContent(
      'approverManagerKMS instance keyhaven-key-protect',
    );
  });

  it('tells a user who is not an Administrator, and asks nothing of the API', () => {
    renderWithProviders(
      <AccessPage user={{ ...admin, platformRoles: [] }} instances={instances} clusters={[]} />,
    );
    expect(screen.getByText(/Only an account Administrator/)).toBeInTheDocument();
  });

  it('checks an invitation as the contract does, and shows the refusal at the top', async () => {
    const sent = serve();
    renderWithProviders(<AccessPage user={admin} instances={instances} clusters={[]} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Invite user' }));
    const dialog = screen.getByRole('dialog', { name: 'Invite user' });
    await userEvent.type(within(dialog).getByLabelText('Username'), 'approver');
    await userEvent.type(within(dialog).getByLabelText('First password'), 'short');
    expect(dialog).toHaveTextContent('Password must be at least 12 characters');
    expect(within(dialog).getByRole('button', { name: 'Invite' })).toBeDisabled();
    await userEvent.type(within(dialog).getByLabelText('First password'), '-but-now-long');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Invite' }));
    await waitFor(() => expect(dialog).toHaveTextContent('The username approver is taken.'));
    expect(sent.invited).toEqual({ username: 'approver', password: 'short-but-now-long' });
  });

  it('grants a service role on one instance in IAM’s shape', async () => {
    const sent = serve();
    renderWithProviders(<AccessPage user={admin} instances={instances} clusters={[]} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Grant access to approver' }));
    const dialog = screen.getByRole('dialog', { name: 'Grant access to approver' });
    await userEvent.selectOptions(
      within(dialog).getByLabelText('KMS instance', { exact: true }),
      'kp-us-south',
    );
    await userEvent.selectOptions(within(dialog).getByLabelText('Role'), 'Writer');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Grant' }));
    await waitFor(() => expect(sent.granted).toBeDefined());
    expect(sent.granted).toEqual({
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: 'user-approver' }] }],
      roles: [{ role_id: 'Writer' }],
      resources: [
        {
          attributes: [
            { name: 'serviceName', value: 'kms' },
            { name: 'serviceInstance', value: 'kp-us-south' },
          ],
        },
      ],
    });
  });
});
