import { useEffect, useRef, useState } from 'react';
import { Checkbox, InlineLoading, Modal, PasswordInput, TextArea, TextInput } from '@carbon/react';
import { useNavigate } from 'react-router';
import { ConnectClusterRequest, sentence } from '@keyhaven/contracts';
import { FormError } from '../../../shared/ui/form-error.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useConnectCluster } from '../api/connect-cluster.ts';
import { TokenSteps } from './token-steps.tsx';

const EMPTY = {
  name: '',
  server: '',
  caCertificate: '',
  token: '',
  etcdEndpoints: '',
  etcdCa: '',
  etcdCert: '',
  etcdKey: '',
};
type Fields = typeof EMPTY;

/** The request the form describes, or the first problem with it, named by field. */
export function connectRequest(fields: Fields, withEtcd: boolean) {
  const parsed = ConnectClusterRequest.safeParse({
    name: fields.name,
    server: fields.server.trim(),
    caCertificate: fields.caCertificate,
    token: fields.token,
    ...(withEtcd && {
      etcd: {
        endpoints: fields.etcdEndpoints
          .split(/[\s,]+/)
          .map((e) => e.trim())
          .filter(Boolean),
        caCertificate: fields.etcdCa,
        clientCertificate: fields.etcdCert,
        clientKey: fields.etcdKey,
      },
    }),
  });
  if (parsed.success) return { request: parsed.data, problems: {} as Record<string, string> };
  const problems: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = issue.path.join('.');
    problems[field] ??= sentence(issue.message);
  }
  return { request: undefined, problems };
}

type Invalid = (field: string) => { invalid?: boolean; invalidText?: string };

/** The PEM fields of etcd access: the form field, its label, and its path in the request. */
const ETCD_PEM_FIELDS = [
  { name: 'etcdCa', label: 'etcd CA certificate (PEM)', path: 'etcd.caCertificate' },
  { name: 'etcdCert', label: 'etcd client certificate (PEM)', path: 'etcd.clientCertificate' },
  { name: 'etcdKey', label: 'etcd client key (PEM)', path: 'etcd.clientKey' },
] as const;

/** The etcd access fields: endpoints, CA, client certificate and key (for Verify only). */
function EtcdFields({
  fields,
  set,
  invalid,
}: {
  fields: Fields;
  set: (name: keyof Fields) => (e: { target: { value: string } }) => void;
  invalid: Invalid;
}) {
  return (
    <>
      <TextInput
        id="connect-etcd-endpoints"
        labelText="etcd endpoints"
        placeholder="https://10.0.0.5:2379"
        value={fields.etcdEndpoints}
        onChange={set('etcdEndpoints')}
        {...invalid('etcd.endpoints')}
        {...invalid('etcd.endpoints.0')}
      />
      {ETCD_PEM_FIELDS.map(({ name, label, path }) => (
        <TextArea
          key={name}
          id={`connect-${name}`}
          labelText={label}
          rows={3}
          value={fields[name]}
          onChange={set(name)}
          {...invalid(path)}
        />
      ))}
    </>
  );
}

/**
 * Connect cluster: the API server's URL, its CA certificate and a service-account token that may
 * list, get and update Secrets; etcd access is optional and only serves the Verify view.
 */
export function ConnectClusterModal({ onClose }: { onClose: () => void }) {
  const toast = useToast();
  const navigate = useNavigate();
  const connect = useConnectCluster();
  const [fields, setFields] = useState(EMPTY);
  const [withEtcd, setWithEtcd] = useState(false);
  const [touched, setTouched] = useState(false);
  const { request, problems } = connectRequest(fields, withEtcd);
  const set = (name: keyof Fields) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [name]: e.target.value }));
  const invalid = (field: string) =>
    touched && problems[field] ? { invalid: true, invalidText: problems[field] } : {};
  // Cancel (or closing) at any time aborts a check under way: nothing is connected.
  const inFlight = useRef<AbortController | null>(null);
  useEffect(() => () => inFlight.current?.abort(), []);
  const cancel = () => {
    inFlight.current?.abort();
    onClose();
  };
  const submit = () => {
    setTouched(true);
    if (!request) return;
    inFlight.current = new AbortController();
    connect.mutate(
      { body: request, signal: inFlight.current.signal },
      {
        onSuccess: (cluster) => {
          toast({
            kind: 'success',
            title: `Cluster ${cluster.name} connected`,
            subtitle: `Kubernetes ${cluster.masterKubeVersion} at ${cluster.location}`,
          });
          onClose();
          void navigate(`/clusters/${cluster.id}`);
        },
      },
    );
  };
  return (
    <Modal
      open
      modalHeading="Connect cluster"
      primaryButtonText={connect.isPending ? 'Checking…' : 'Connect'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={connect.isPending}
      onRequestClose={cancel}
      onRequestSubmit={submit}
      size="md"
    >
      <div className="kh-stack">
        {connect.isPending && (
          <InlineLoading description="Checking the credentials with the API server… Cancel stops the check." />
        )}
        <FormError title="The cluster was not connected" error={connect.error} />
        <p>
          Keyhaven checks the credentials at once. It keeps the token sealed and never shows it
          again.
        </p>
        <TextInput
          id="connect-name"
          labelText="Name"
          helperText="Lowercase letters, digits and hyphens"
          value={fields.name}
          onChange={set('name')}
          autoComplete="off"
          {...invalid('name')}
        />
        <TextInput
          id="connect-server"
          labelText="API server URL"
          placeholder="https://api.example.com:6443"
          value={fields.server}
          onChange={set('server')}
          autoComplete="off"
          {...invalid('server')}
        />
        <TextArea
          id="connect-ca"
          labelText="CA certificate (PEM)"
          helperText="The certificate authority that signed the API server's certificate"
          rows={4}
          value={fields.caCertificate}
          onChange={set('caCertificate')}
          {...invalid('caCertificate')}
        />
        <PasswordInput
          id="connect-token"
          labelText="Service-account token"
          helperText="Needs list, get and update on Secrets in every namespace"
          value={fields.token}
          onChange={set('token')}
          autoComplete="off"
          {...invalid('token')}
        />
        <TokenSteps />
        <Checkbox
          id="connect-etcd"
          labelText="Also give etcd access, to verify what etcd stores"
          checked={withEtcd}
          onChange={(_, { checked }) => setWithEtcd(checked)}
        />
        {withEtcd && <EtcdFields fields={fields} set={set} invalid={invalid} />}
      </div>
    </Modal>
  );
}
