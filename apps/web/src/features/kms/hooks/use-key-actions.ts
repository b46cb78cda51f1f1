import { useState } from 'react';
import type { RootKey, RootKeyAction } from '@keyhaven/contracts';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useRootKeyAction } from '../api/change-root-key.ts';

/** The actions that change the clusters using the key, and so are confirmed first. */
export type ConfirmableAction = 'rotate' | 'disable';

const DONE: Record<RootKeyAction, (name: string) => string> = {
  rotate: (name) => `Root key ${name} rotated: a new version is in use`,
  disable: (name) => `Root key ${name} disabled`,
  enable: (name) => `Root key ${name} enabled`,
};
const PAST: Record<RootKeyAction, string> = {
  rotate: 'rotated',
  disable: 'disabled',
  enable: 'enabled',
};

/**
 * Rotate, disable and enable on an instance's root keys. Rotating or disabling a key that clusters
 * use changes those clusters, so it waits for the user's confirmation (R6, R7); each action that
 * succeeds is confirmed with a toast.
 */
export function useKeyActions(instanceId: string) {
  const action = useRootKeyAction(instanceId);
  const toast = useToast();
  const [confirming, setConfirming] = useState<{
    rootKey: RootKey;
    action: ConfirmableAction;
  } | null>(null);
  const [last, setLast] = useState<{ rootKey: RootKey; name: RootKeyAction }>();
  const run = (rootKey: RootKey, name: RootKeyAction) => {
    setLast({ rootKey, name });
    action.mutate(
      { keyId: rootKey.id, action: name },
      {
        onSuccess: () => {
          setConfirming(null);
          toast({ kind: 'success', title: DONE[name](rootKey.name) });
        },
      },
    );
  };
  return {
    action,
    /** The title of the last action's failure: "Root key X was not disabled". */
    failure: last && `Root key ${last.rootKey.name} was not ${PAST[last.name]}`,
    confirming,
    request: (rootKey: RootKey, name: RootKeyAction) => {
      action.reset();
      if ((name === 'rotate' || name === 'disable') && rootKey.registrations.length > 0)
        setConfirming({ rootKey, action: name });
      else run(rootKey, name);
    },
    confirm: () => confirming && run(confirming.rootKey, confirming.action),
    cancel: () => setConfirming(null),
  };
}
