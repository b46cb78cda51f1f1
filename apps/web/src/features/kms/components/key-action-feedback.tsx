import { InlineNotification } from '@carbon/react';
import type { useKeyActions } from '../hooks/use-key-actions.ts';
import { ConfirmKeyActionModal } from './confirm-key-action-modal.tsx';

type KeyActions = ReturnType<typeof useKeyActions>;

/** Why the last key action failed (once no confirmation is open), for the list and the key page. */
export function KeyActionFailure({ actions }: { actions: KeyActions }) {
  const { action, failure, confirming } = actions;
  if (!action.error || confirming) return null;
  return (
    <InlineNotification
      kind="error"
      lowContrast
      title={failure}
      subtitle={action.error.message}
      onClose={() => action.reset()}
    />
  );
}

/** The confirmation a rotate or disable of a key in use waits for. */
export function KeyActionConfirm({ actions }: { actions: KeyActions }) {
  const { action, confirming, confirm, cancel } = actions;
  if (!confirming) return null;
  return (
    <ConfirmKeyActionModal
      rootKey={confirming.rootKey}
      action={confirming.action}
      pending={action.isPending}
      error={action.error}
      onConfirm={confirm}
      onClose={cancel}
    />
  );
}
