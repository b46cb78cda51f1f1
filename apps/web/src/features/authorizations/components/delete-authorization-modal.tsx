import { InlineNotification, Modal } from '@carbon/react';
import { providerLabel, type AuthorizationPolicy } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useDeleteAuthorization } from '../api/delete-authorization.ts';

/** Deleting an authorization that clusters rely on puts them in a warning state: name them. */
export function DeleteAuthorizationModal({
  policy,
  onClose,
}: {
  policy: AuthorizationPolicy;
  onClose: () => void;
}) {
  const remove = useDeleteAuthorization();
  const target =
    policy.target.instanceName ?? `every ${providerLabel[policy.target.serviceName]} instance`;
  const names = policy.dependents.map((d) => d.name);
  return (
    <Modal
      open
      danger
      modalHeading="Delete service authorization"
      primaryButtonText="Delete"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={remove.isPending}
      loadingStatus={remove.isPending ? 'active' : 'inactive'}
      loadingDescription="Deleting…"
      onRequestClose={onClose}
      onRequestSubmit={() => remove.mutate(policy.id, { onSuccess: onClose })}
      size="sm"
    >
      <div className="kh-stack">
        {names.length > 0 ? (
          <InlineNotification
            kind="warning"
            lowContrast
            hideCloseButton
            title={`${names.length === 1 ? 'This cluster relies' : 'These clusters rely'} on it: ${names.join(', ')}`}
            subtitle={`Kubernetes Service can no longer use ${target}; ${names.length === 1 ? 'its' : 'their'} master status turns to a warning until the authorization is created again.`}
          />
        ) : (
          <p>
            Kubernetes Service (account {policy.source.accountId}) can no longer use {target}. No
            cluster of yours relies on it.
          </p>
        )}
        {remove.error && (
          <ErrorState title="The service authorization was not deleted" error={remove.error} />
        )}
      </div>
    </Modal>
  );
}
