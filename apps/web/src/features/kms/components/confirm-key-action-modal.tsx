import { Modal } from '@carbon/react';
import type { RootKey } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import type { ConfirmableAction } from '../hooks/use-key-actions.ts';

/** What each action does to the clusters using the key (R6, R7), in the words of the seeds. */
const CONSEQUENCE: Record<
  ConfirmableAction,
  { heading: string; button: string; past: string; text: string }
> = {
  rotate: {
    heading: 'Rotate root key',
    button: 'Rotate',
    past: 'rotated',
    text: 'A new key version is created, and every cluster using this key re-encrypts all of its secrets under it. Master status shows "KMS feature enablement in progress." until that is done; during the re-encryption the master may be unreachable.',
  },
  disable: {
    heading: 'Disable root key',
    button: 'Disable',
    past: 'disabled',
    text: 'The clusters using this key can no longer read their secrets: their master status turns to a warning and the cluster stops working as expected until you enable the key again.',
  },
};

/** Asks before rotating or disabling a root key that clusters use, naming them. */
export function ConfirmKeyActionModal({
  rootKey,
  action,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  rootKey: RootKey;
  action: ConfirmableAction;
  pending: boolean;
  error: Error | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const { heading, button, past, text } = CONSEQUENCE[action];
  const users = rootKey.registrations.map((r) => r.clusterName);
  return (
    <Modal
      open
      danger={action === 'disable'}
      modalHeading={`${heading} ${rootKey.name}`}
      primaryButtonText={button}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={pending}
      loadingStatus={pending ? 'active' : 'inactive'}
      loadingDescription={action === 'rotate' ? 'Rotating…' : 'Disabling…'}
      onRequestClose={onClose}
      onRequestSubmit={onConfirm}
      size="sm"
    >
      <div className="kh-stack">
        <p>
          Used by {users.length === 1 ? 'cluster' : `${users.length} clusters`}:{' '}
          <strong>{users.join(', ')}</strong>.
        </p>
        <p>{text}</p>
        {error && <ErrorState title={`Root key ${rootKey.name} was not ${past}`} error={error} />}
      </div>
    </Modal>
  );
}
