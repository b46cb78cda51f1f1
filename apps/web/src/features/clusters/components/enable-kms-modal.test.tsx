import { describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import type {
  Cluster,
  ClusterOverview,
  EnableKmsBody,
  EnableOptions,
  ErrorBody,
} from '@keyhaven/contracts';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { EnableKmsModal } from './enable-kms-modal.tsx';

const DAY = 24 * 3600 * 1000;
const instances: EnableOptions['instances'] = [
  {
    id: 'kp-1',
    name: 'keyhaven-key-protect',
    provider: 'key-protect',
    region: 'us-south',
    accountId: 'acct',
    privateEndpoint: 'https://private.us-south.kms.example',
    publicEndpoint: 'https://us-south.kms.example',
  },
  {
    id: 'hpcs-1',
    name: 'keyhaven-hpcs',
    provider: 'hyper-protect-crypto-services',
    region: 'us-east',
    accountId: 'acct',
    privateEndpoint: 'https://private.us-east.hpcs.example',
    publicEndpoint: 'https://us-east.hpcs.example',
  },
];
const key = (
  id: string,
  name: string,
  extra: Partial<EnableOptions['keys'][number]> = {},
): EnableOptions['keys'][number] => ({
  id,
  name,
  state: 1,
  expirationDate: null,
  selectable: true,
  reason: null,
  reasonText: null,
  expiresSoon: false,
  ...extra,
});
const keys: EnableOptions['keys'] = [
  key('k-1', 'cluster-root-key-1'),
  key('k-2', 'old-key', {
    selectable: false,
    reason: 'used-before',
    reasonText: 'Used before by this cluster',
  }),
  key('k-3', 'off-key', {
    state: 2,
    selectable: false,
    reason: 'disabled',
    reasonText: 'Disabled',
  }),
  key('k-4', 'soon-key', {
    expirationDate: new Date(Date.now() + 10 * DAY).toISOString(),
    expiresSoon: true,
  }),
];

const cluster: Cluster = {
  id: 'c1',
  name: 'prod',
  region: 'us-south',
  location: 'Dallas 10',
  masterKubeVersion: '1.31.4',
  accountId: 'acct',
  createdDate: '2026-01-01T00:00:00Z',
  masterStatus: 'KMS feature enablement in progress.',
  masterHealth: 'in_progress',
  masterStatusModifiedDate: '2026-11-24T00:00:00Z',
  lifecycle: {
    masterStatus: 'KMS feature enablement in progress.',
    masterStatusModifiedDate: '2026-11-24T00:00:00Z',
    masterHealth: 'in_progress',
  },
  features: { keyProtectEnabled: false },
  kms: null,
  enablement: null,
  connection: null,
};

function serveOptions(authorization: EnableOptions['authorization'] = 'present') {
  server.use(
    http.get('/api/clusters/c1/enable-options', ({ request }) => {
      const chosen = new URL(request.url).searchParams.get('instanceId');
      return HttpResponse.json<EnableOptions>({
        instances,
        keys: chosen ? keys : [],
        canEnable: true,
        authorization: chosen ? authorization : null,
      });
    }),
  );
}

/** Accepts the Enable/Update the modal sends (202) and keeps its body for the test to read. */
function acceptEnable(): { body: EnableKmsBody | undefined } {
  const sent: { body: EnableKmsBody | undefined } = { body: undefined };
  server.use(
    http.post('/api/clusters/c1/kms', async ({ request }) => {
      sent.body = (await request.json()) as EnableKmsBody;
      return HttpResponse.json(cluster, { status: 202 });
    }),
  );
  return sent;
}

function renderModal(onClose = vi.fn(), current: ClusterOverview['kms'] = null) {
  renderWithProviders(
    <EnableKmsModal
      clusterId="c1"
      mode={current ? 'update' : 'enable'}
      current={current}
      open
      onClose={onClose}
      launcher={{ current: document.createElement('button') }}
    />,
  );
  return onClose;
}

async function pick(label: string, option: string | RegExp) {
  await userEvent.click(screen.getByRole('combobox', { name: label }));
  await userEvent.click(await screen.findByRole('option', { name: option }));
}

describe('EnableKmsModal', () => {
  it('opens Update with the current instance and endpoint, and keeps the endpoint', async () => {
    serveOptions();
    const enabled = acceptEnable();
    renderModal(vi.fn(), {
      instanceId: 'kp-1',
      instanceName: 'keyhaven-key-protect',
      provider: 'key-protect',
      region: 'us-south',
      rootKeyId: 'k-2',
      rootKeyName: 'old-key',
      rootKeyState: 1,
      keyVersion: 'v1',
      expirationDate: null,
      privateEndpoint: false,
    });
    expect(screen.getByRole('dialog', { name: 'Update key management service' })).toBeVisible();
    expect(screen.getByText(/The cluster uses root key/)).toHaveTextContent(
      'The cluster uses root key old-key of keyhaven-key-protect over the public service endpoint.',
    );
    expect(screen.getByText(/During the update, you might not be able/)).toBeInTheDocument();
    const instance = screen.getByRole('combobox', { name: 'Key management service instance' });
    await waitFor(() =>
      expect(instance).toHaveValue('keyhaven-key-protect (Key Protect, us-south)'),
    );
    expect(screen.getByRole('checkbox', { name: 'Use public service endpoint' })).toBeChecked();
    // Reopening the instance list shows every instance, not only the chosen one.
    await userEvent.click(instance);
    const listed = await screen.findAllByRole('option');
    expect(listed).toHaveLength(2);
    await userEvent.click(listed[0] as HTMLElement);
    await pick('Root key', 'cluster-root-key-1');
    await userEvent.click(screen.getByRole('button', { name: 'Update' }));
    await waitFor(() =>
      expect(enabled.body).toEqual({ instance_id: 'kp-1', crk_id: 'k-1', private_endpoint: false }),
    );
  });

  it('keeps Enable disabled until an instance and a selectable key are picked; private endpoint by default', async () => {
    serveOptions();
    const enabled = acceptEnable();
    const onClose = renderModal();
    expect(screen.getByRole('dialog', { name: 'Enable key management service' })).toBeVisible();
    expect(
      screen.getByText(
        /During the enablement, you might not be able to access the Kubernetes master/,
      ),
    ).toBeInTheDocument();
    const enable = screen.getByRole('button', { name: 'Enable' });
    expect(enable).toBeDisabled();
    expect(screen.getByRole('combobox', { name: 'Root key' })).toBeDisabled();
    await pick('Key management service instance', /keyhaven-key-protect \(Key Protect, us-south\)/);
    expect(enable).toBeDisabled();

    await userEvent.click(screen.getByRole('combobox', { name: 'Root key' }));
    expect(
      await screen.findByRole('option', { name: 'old-key (Used before by this cluster)' }),
    ).toHaveAttribute('disabled');
    expect(screen.getByRole('option', { name: 'off-key (Disabled)' })).toHaveAttribute('disabled');
    await userEvent.click(screen.getByRole('option', { name: /^soon-key \(expires / }));
    expect(screen.getByText(/This root key expires within 30 days/)).toBeInTheDocument();

    // Typing filters the list; picking another key replaces the first choice.
    const rootKey = screen.getByRole('combobox', { name: 'Root key' });
    await userEvent.clear(rootKey);
    await userEvent.type(rootKey, 'cluster');
    await userEvent.click(await screen.findByRole('option', { name: 'cluster-root-key-1' }));
    expect(rootKey).toHaveValue('cluster-root-key-1');
    expect(screen.getByRole('checkbox', { name: 'Use public service endpoint' })).not.toBeChecked();
    expect(enable).toBeEnabled();
    await userEvent.click(enable);
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(enabled.body).toEqual({ instance_id: 'kp-1', crk_id: 'k-1', private_endpoint: true });
  });

  it.each([
    [403, 'FORBIDDEN', 'You need the Administrator platform role on cluster c1.'],
    [
      409,
      'ROOT_KEY_DISABLED',
      'Root key cluster-root-key-1 is disabled: enable it to read secrets again.',
    ],
  ])(
    'shows a %i from the server inside the modal and stays open',
    async (status, code, message) => {
      serveOptions();
      server.use(
        http.post('/api/clusters/c1/kms', () =>
          HttpResponse.json<ErrorBody>({ code, message }, { status }),
        ),
      );
      const onClose = renderModal();
      await pick('Key management service instance', /keyhaven-key-protect/);
      await pick('Root key', 'cluster-root-key-1');
      await userEvent.click(screen.getByRole('button', { name: 'Enable' }));
      expect(await screen.findByText(message)).toBeInTheDocument();
      expect(onClose).not.toHaveBeenCalled();
      expect(screen.getByRole('dialog', { name: 'Enable key management service' })).toBeVisible();
    },
  );

  it('says before Enable that disabling or deleting the root key later breaks the cluster', async () => {
    serveOptions();
    renderModal();
    const dialog = await screen.findByRole('dialog', { name: 'Enable key management service' });
    expect(dialog).toHaveTextContent('From then on the cluster depends on the root key');
    expect(dialog).toHaveTextContent('deleted, its secrets are lost for good');
  });

  it('says that enabling creates the service authorization when the instance has none yet', async () => {
    serveOptions('created-on-enable');
    renderModal();
    expect(screen.queryByText('No service authorization yet')).not.toBeInTheDocument();
    await pick('Key management service instance', /keyhaven-key-protect \(Key Protect, us-south\)/);
    expect(await screen.findByText('No service authorization yet')).toBeInTheDocument();
    expect(
      screen.getByText(/Enabling creates the Reader service-to-service authorization/),
    ).toBeInTheDocument();
  });

  it('says so when the options cannot be loaded', async () => {
    server.use(
      http.get('/api/clusters/c1/enable-options', () =>
        HttpResponse.json<ErrorBody>(
          {
            code: 'ENGINE_UNAVAILABLE',
            message: 'The Keyhaven engine is unavailable. Try again shortly.',
          },
          { status: 503 },
        ),
      ),
    );
    renderModal();
    expect(
      await screen.findByText('The Keyhaven engine is unavailable. Try again shortly.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Enable' })).toBeDisabled();
  });

  it('keeps what it was opened with while it closes, and starts afresh at the next opening', async () => {
    serveOptions();
    acceptEnable();
    const launcher = { current: document.createElement('button') };
    const modal = (open: boolean, current: ClusterOverview['kms']) => (
      <EnableKmsModal
        clusterId="c1"
        mode={current ? 'update' : 'enable'}
        current={current}
        open={open}
        onClose={vi.fn()}
        launcher={launcher}
      />
    );
    const { rerender } = renderWithProviders(modal(true, null));
    await pick('Key management service instance', /keyhaven-key-protect \(Key Protect, us-south\)/);
    await pick('Root key', 'cluster-root-key-1');
    await userEvent.click(screen.getByRole('button', { name: 'Enable' }));
    // Enabled: the overview now has the key and closes the modal, which fades out for a moment.
    const enabled: ClusterOverview['kms'] = {
      instanceId: 'kp-1',
      instanceName: 'keyhaven-key-protect',
      provider: 'key-protect',
      region: 'us-south',
      rootKeyId: 'k-1',
      rootKeyName: 'cluster-root-key-1',
      rootKeyState: 1,
      keyVersion: 'v1',
      expirationDate: null,
      privateEndpoint: true,
    };
    rerender(modal(false, enabled));
    const closing = screen.getByRole('dialog', { hidden: true });
    expect(closing).toHaveTextContent('Enable key management service');
    expect(closing).not.toHaveTextContent('Update key management service');
    expect(screen.getByRole('combobox', { name: 'Root key', hidden: true })).toHaveValue(
      'cluster-root-key-1',
    );

    rerender(modal(true, enabled));
    expect(
      await screen.findByRole('dialog', { name: 'Update key management service' }),
    ).toBeVisible();
    expect(screen.getByRole('combobox', { name: 'Root key' })).toHaveValue('');
  });
});
