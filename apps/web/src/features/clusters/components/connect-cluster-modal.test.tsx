import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { server } from '../../../test/server.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { ConnectClusterModal, connectRequest } from './connect-cluster-modal.tsx';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBdjCCARugAwIBAgIU\n-----END CERTIFICATE-----';

describe('Connect cluster', () => {
  it('names each field that is wrong before anything is sent', () => {
    const { request, problems } = connectRequest(
      {
        name: 'Prod EU',
        server: 'http://10.0.0.5:6443',
        caCertificate: 'not a certificate',
        token: '',
        etcdEndpoints: '',
        etcdCa: '',
        etcdCert: '',
        etcdKey: '',
      },
      true,
    );
    expect(request).toBeUndefined();
    expect(problems.name).toMatch(/lowercase letters, digits or "-"/);
    expect(problems.server).toBe('Server must start with https://.');
    expect(problems.caCertificate).toMatch(/must be PEM/);
    expect(problems.token).toBe('Token is required.');
    expect(problems['etcd.endpoints']).toBeDefined();
  });

  it('sends a valid form, and shows why the engine refused it', async () => {
    let sent: unknown;
    server.use(
      http.post('/api/clusters', async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(
          { code: 'CLUSTER_TOKEN_REFUSED', message: 'the API server refused the token (401)' },
          { status: 400 },
        );
      }),
    );
    renderWithProviders(<ConnectClusterModal onClose={() => undefined} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Name'), 'prod-eu');
    await user.type(screen.getByLabelText('API server URL'), 'https://10.0.0.5:6443');
    await user.click(screen.getByLabelText('CA certificate (PEM)'));
    await user.paste(PEM);
    await user.type(screen.getByLabelText('Service-account token'), 'sa-token');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    const refusal = await screen.findByText('the API server refused the token (401)');
    expect(refusal).toBeVisible();
    // Where the eye is: above the first field, and focused to be read out.
    const failure = refusal.closest('.kh-form-error');
    expect(failure).toHaveFocus();
    expect(
      (failure as Element).compareDocumentPosition(screen.getByLabelText('Name')) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
    expect(sent).toEqual({
      name: 'prod-eu',
      server: 'https://10.0.0.5:6443',
      caCertificate: PEM,
      token: 'sa-token',
    });
  });

  it('keeps Cancel usable while the credentials are checked, and aborts the request', async () => {
    let aborted = false;
    server.use(
      http.post('/api/clusters', ({ request }) => {
        request.signal.addEventListener('abort', () => (aborted = true));
        return new Promise<Response>(() => undefined); // a cluster that never answers
      }),
    );
    let closed = false;
    renderWithProviders(<ConnectClusterModal onClose={() => (closed = true)} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Name'), 'slow');
    await user.type(screen.getByLabelText('API server URL'), 'https://10.0.0.5:6443');
    await user.click(screen.getByLabelText('CA certificate (PEM)'));
    await user.paste(PEM);
    await user.type(screen.getByLabelText('Service-account token'), 'sa-token');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByText(/Checking the credentials/)).toBeVisible();
    expect(screen.getByRole('button', { name: 'Checking…' })).toBeDisabled();
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    expect(cancel).toBeEnabled();
    await user.click(cancel);
    expect(closed).toBe(true);
    await waitFor(() => expect(aborted).toBe(true));
  });
});
