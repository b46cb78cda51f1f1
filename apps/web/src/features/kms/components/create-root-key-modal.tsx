import { useState } from 'react';
import { Modal, TextInput } from '@carbon/react';
import type { RootKey } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useCreateRootKey } from '../api/create-root-key.ts';

/** Create root key: a name and an optional expiration date (R9). */
export function CreateRootKeyModal({
  instanceId,
  instanceName,
  onCreated,
  onClose,
}: {
  instanceId: string;
  instanceName: string;
  /** The key made, so that the page can mark it. */
  onCreated?: (key: RootKey) => void;
  onClose: () => void;
}) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const create = useCreateRootKey(instanceId);
  const submit = () =>
    create.mutate(
      {
        name: name.trim(),
        ...(expires && { expirationDate: new Date(`${expires}T23:59:59Z`).toISOString() }),
      },
      {
        onSuccess: (key) => {
          toast({ kind: 'success', title: `Root key ${name.trim()} created in ${instanceName}` });
          onCreated?.(key);
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      modalHeading={`Create root key in ${instanceName}`}
      primaryButtonText="Create"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={name.trim().length < 2 || create.isPending}
      loadingStatus={create.isPending ? 'active' : 'inactive'}
      onRequestClose={onClose}
      onRequestSubmit={submit}
      size="sm"
    >
      <div className="kh-stack">
        <TextInput
          id="key-name"
          labelText="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          autoComplete="off"
        />
        <TextInput
          id="key-expiration"
          type="date"
          labelText="Expiration date (optional)"
          helperText="The key expires at the end of that day (UTC); then it can no longer wrap or unwrap."
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />
        {create.error && <ErrorState title="The root key was not created" error={create.error} />}
      </div>
    </Modal>
  );
}
