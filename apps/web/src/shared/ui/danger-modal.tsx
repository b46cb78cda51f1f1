import type { ReactNode } from 'react';
import { Modal } from '@carbon/react';
import { ErrorState } from './error-state.tsx';

/**
 * The confirmation of an action that cannot be taken back (Carbon's danger modal): the action's
 * name on its button, "…ing" while it runs, and what went wrong inside the dialog.
 */
export function DangerModal({
  heading,
  action,
  running,
  pending,
  error,
  failed,
  onConfirm,
  onClose,
  children,
}: {
  heading: string;
  /** The button: "Remove". */
  action: string;
  /** The button while the request runs: "Removing…". */
  running: string;
  pending: boolean;
  error: unknown;
  /** The title of the error: what was not done. */
  failed: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      open
      danger
      modalHeading={heading}
      primaryButtonText={pending ? running : action}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={pending}
      onRequestClose={onClose}
      onRequestSubmit={onConfirm}
    >
      {children}
      {error ? <ErrorState title={failed} error={error} /> : null}
    </Modal>
  );
}
