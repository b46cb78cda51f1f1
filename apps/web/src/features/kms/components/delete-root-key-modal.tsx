import { useState } from 'react';
import { InlineNotification, Modal, TextInput } from '@carbon/react';
import type { RootKey } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useDeleteRootKey } from '../api/delete-root-key.ts';

/** Deleting a key in use breaks its clusters for good (R8): name them and ask for the key's name. */
export function DeleteRootKeyModal({
  instanceId,
  rootKey,
  onClose,
}: {
  instanceId: string;
  rootKey: RootKey;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const remove = useDeleteRootKey(instanceId);
  const toast = useToast();
  const inUse = rootKey.registrations.length > 0;
  const confirmed = !inUse || typed === rootKey.name;
  return (
    <Modal
      open
      danger
      modalHeading={`Delete root key ${rootKey.name}`}
      primaryButtonText="Delete"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={!confirmed || remove.isPending}
      loadingStatus={remove.isPending ? 'active' : 'inactive'}
      loadingDescription="Deleting…"
      onRequestClose={onClose}
      onRequestSubmit={() =>
        remove.mutate(
          { keyId: rootKey.id, force: inUse },
          {
            onSuccess: () => {
              toast({ kind: 'success', title: `Root key ${rootKey.name} deleted` });
              onClose();
            },
          },
        )
      }
      size="sm"
    >
      <div className="kh-stack">
        {inUse ? (
          <>
            <InlineNotification
              kind="error"
              lowContrast
              hideCloseButton
              title="Clusters using this key become unusable and lose their data"
              subtitle={`Used by: ${rootKey.registrations.map((r) => r.clusterName).join(', ')}. Their secrets cannot be recovered.`}
            />
            <TextInput
              id="confirm-key-name"
              labelText={`Type ${rootKey.name} to confirm`}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              autoComplete="off"
            />
          </>
        ) : (
          <p>The key material is destroyed. No cluster uses this key.</p>
        )}
        {remove.error && (
          <ErrorState title={`Root key ${rootKey.name} was not deleted`} error={remove.error} />
        )}
      </div>
    </Modal>
  );
}
