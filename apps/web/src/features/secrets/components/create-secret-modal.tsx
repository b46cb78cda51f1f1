import { useState } from 'react';
import { Checkbox, Modal, TextArea, TextInput } from '@carbon/react';
import { SecretRef, sentence } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useCreateSecret } from '../api/create-secret.ts';
import { toBase64 } from '../lib/hexdump.ts';

const KEY = /^[-._a-zA-Z0-9]+$/;

/** Creates a secret with one data key; the value is sent base64-encoded, as Kubernetes stores it. */
export function CreateSecretModal({
  clusterId,
  onClose,
  onCreated,
}: {
  clusterId: string;
  onClose: () => void;
  /** Called with what was created, after the modal closed. */
  onCreated: (ref: SecretRef) => void;
}) {
  const [namespace, setNamespace] = useState('default');
  const [name, setName] = useState('');
  const [key, setKey] = useState('password');
  const [value, setValue] = useState('');
  const [showValue, setShowValue] = useState(false);
  const create = useCreateSecret(clusterId);
  const refIssues = SecretRef.safeParse({ namespace, name }).error?.issues ?? [];
  const issueFor = (field: string) => sentence(refIssues.find((i) => i.path[0] === field)?.message);
  const nameError = name === '' ? undefined : issueFor('name');
  const namespaceError = issueFor('namespace');
  const keyError = KEY.test(key) ? undefined : 'May contain letters, digits, "-", "_" and ".".';
  const valid = name !== '' && !nameError && !namespaceError && !keyError && value !== '';

  return (
    <Modal
      open
      modalHeading="Create secret"
      primaryButtonText={create.isPending ? 'Creating…' : 'Create'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={!valid || create.isPending}
      onRequestClose={onClose}
      onRequestSubmit={() =>
        create.mutate(
          { namespace, name, type: 'Opaque', data: { [key]: toBase64(value) } },
          {
            onSuccess: () => {
              onClose();
              onCreated({ namespace, name });
            },
          },
        )
      }
    >
      <div className="kh-form">
        <TextInput
          id="secret-namespace"
          labelText="Namespace"
          value={namespace}
          invalid={Boolean(namespaceError)}
          invalidText={namespaceError}
          onChange={(e) => setNamespace(e.target.value)}
        />
        <TextInput
          id="secret-name"
          labelText="Name"
          value={name}
          invalid={Boolean(nameError)}
          invalidText={nameError}
          onChange={(e) => setName(e.target.value)}
          data-modal-primary-focus
        />
        <TextInput
          id="secret-key"
          labelText="Key"
          value={key}
          invalid={Boolean(keyError)}
          invalidText={keyError}
          onChange={(e) => setKey(e.target.value)}
        />
        <TextArea
          id="secret-value"
          labelText="Value"
          helperText="Stored encrypted under the cluster's root key when KMS is enabled."
          value={value}
          rows={3}
          className={showValue ? undefined : 'kh-masked'}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setValue(e.target.value)}
        />
        <Checkbox
          id="secret-show-value"
          labelText="Show the value"
          checked={showValue}
          onChange={(_event, { checked }) => setShowValue(checked)}
        />
        {create.isError && <ErrorState title="The secret was not created" error={create.error} />}
      </div>
    </Modal>
  );
}
