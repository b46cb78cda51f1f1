import { useState } from 'react';
import { InlineNotification, Modal, TextInput } from '@carbon/react';
import { dateOnly, type RootKey } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useDeletionAuthorization } from '../api/dual-auth.ts';
import { useDeleteRootKey } from '../api/delete-root-key.ts';

/**
 * Where a key under dual authorization stands for this user: nobody authorized its deletion
 * (or that lapsed), they did (another Manager must delete), or another Manager did.
 */
function dualAuthStep(rootKey: RootKey, username: string | undefined) {
  const dual = rootKey.dualAuthDelete;
  if (!dual?.enabled) return 'none';
  if (!dual.keySetForDeletion) return 'authorize';
  return dual.authorizedBy === username ? 'wait' : 'delete';
}

/** Deleting a key in use breaks its clusters for good (R8): name them and ask for the key's name. */
export function DeleteRootKeyModal({
  instanceId,
  rootKey,
  username,
  onClose,
}: {
  instanceId: string;
  rootKey: RootKey;
  /** Who is deleting: under dual authorization, the one who authorized cannot also delete. */
  username?: string | undefined;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const remove = useDeleteRootKey(instanceId);
  const authorization = useDeletionAuthorization(instanceId, rootKey.id);
  const toast = useToast();
  const inUse = rootKey.registrations.length > 0;
  const confirmed = !inUse || typed === rootKey.name;
  const step = dualAuthStep(rootKey, username);
  const dual = rootKey.dualAuthDelete;
  const until = dual?.authExpiration ? dateOnly(dual.authExpiration) : '';
  const authorize = (yes: boolean) =>
    authorization.mutate(yes, {
      onSuccess: () => {
        toast({
          kind: 'success',
          title: yes
            ? `Deletion of ${rootKey.name} authorized: another Manager may delete it within 7 days`
            : `Authorization to delete ${rootKey.name} cancelled`,
        });
        onClose();
      },
    });
  const deleteKey = () =>
    remove.mutate(
      { keyId: rootKey.id, force: inUse },
      {
        onSuccess: () => {
          toast({ kind: 'success', title: `Root key ${rootKey.name} deleted` });
          onClose();
        },
      },
    );
  const button = { authorize: 'Authorize deletion', wait: 'Cancel authorization' } as const;
  const pending = remove.isPending || authorization.isPending;
  return (
    <Modal
      open
      danger={step !== 'wait'}
      modalHeading={`Delete root key ${rootKey.name}`}
      primaryButtonText={step === 'authorize' || step === 'wait' ? button[step] : 'Delete'}
      secondaryButtonText={step === 'wait' ? 'Close' : 'Cancel'}
      primaryButtonDisabled={(step !== 'wait' && !confirmed) || pending}
      loadingStatus={pending ? 'active' : 'inactive'}
      loadingDescription="Working…"
      onRequestClose={onClose}
      onRequestSubmit={() =>
        step === 'authorize' ? authorize(true) : step === 'wait' ? authorize(false) : deleteKey()
      }
      size="sm"
    >
      <div className="kh-stack">
        {step === 'authorize' && (
          <InlineNotification
            kind="info"
            lowContrast
            hideCloseButton
            title="Deleting this key takes two Managers"
            subtitle={`Authorize its deletion; another Manager then deletes it within 7 days.${dual?.lapsed ? ` The last authorization lapsed on ${until}.` : ''}`}
          />
        )}
        {step === 'wait' && (
          <InlineNotification
            kind="info"
            lowContrast
            hideCloseButton
            title="Waiting for a second Manager"
            subtitle={`You authorized its deletion until ${until}: another Manager must delete it.`}
          />
        )}
        {step === 'delete' && (
          <p>
            {dual?.authorizedBy} authorized its deletion until {until}.
          </p>
        )}
        {step !== 'wait' && inUse ? (
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
          step !== 'wait' && <p>The key material is destroyed. No cluster uses this key.</p>
        )}
        {(remove.error ?? authorization.error) && (
          <ErrorState
            title={`Root key ${rootKey.name} was not ${step === 'delete' || step === 'none' ? 'deleted' : 'changed'}`}
            error={remove.error ?? authorization.error}
          />
        )}
      </div>
    </Modal>
  );
}
