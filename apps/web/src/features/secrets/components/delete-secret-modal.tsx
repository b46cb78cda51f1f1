import { InlineNotification, Modal } from '@carbon/react';
import { useDeleteSecret } from '../api/delete-secret.ts';
import type { SecretDialogProps } from '../api/get-secrets.ts';

export function DeleteSecretModal({ clusterId, secret, onClose }: SecretDialogProps) {
  const remove = useDeleteSecret(clusterId);
  return (
    <Modal
      open
      danger
      modalHeading={`Delete secret ${secret.namespace}/${secret.name}?`}
      primaryButtonText={remove.isPending ? 'Deleting…' : 'Delete'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={remove.isPending}
      onRequestClose={onClose}
      onRequestSubmit={() => remove.mutate(secret, { onSuccess: onClose })}
    >
      <p>Workloads that read this secret will no longer find it. This cannot be undone.</p>
      {remove.isError && (
        <InlineNotification
          kind="error"
          title="The secret was not deleted"
          subtitle={remove.error.message}
          hideCloseButton
        />
      )}
    </Modal>
  );
}
