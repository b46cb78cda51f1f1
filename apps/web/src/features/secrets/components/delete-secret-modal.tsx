import { Modal } from '@carbon/react';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useDeleteSecret } from '../api/delete-secret.ts';
import type { SecretDialogProps } from '../api/get-secrets.ts';

export function DeleteSecretModal({ clusterId, secret, onClose }: SecretDialogProps) {
  const remove = useDeleteSecret(clusterId);
  const toast = useToast();
  return (
    <Modal
      open
      danger
      modalHeading={`Delete secret ${secret.namespace}/${secret.name}`}
      primaryButtonText={remove.isPending ? 'Deleting…' : 'Delete'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={remove.isPending}
      onRequestClose={onClose}
      onRequestSubmit={() =>
        remove.mutate(secret, {
          onSuccess: () => {
            toast({ kind: 'success', title: `Secret ${secret.namespace}/${secret.name} deleted` });
            onClose();
          },
        })
      }
    >
      <p>Workloads that read this secret will no longer find it. This cannot be undone.</p>
      {remove.isError && <ErrorState title="The secret was not deleted" error={remove.error} />}
    </Modal>
  );
}
