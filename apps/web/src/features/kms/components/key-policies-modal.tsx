import { useState } from 'react';
import { Modal, Select, SelectItem, Toggle } from '@carbon/react';
import { ROTATION_MONTH_DAYS, dateOnly, months, type RootKey } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useTurnOnDualAuth } from '../api/dual-auth.ts';
import { useSetRotationPolicy } from '../api/set-rotation-policy.ts';

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);

/**
 * A root key's policies (Key Protect's): rotation, where the engine rotates the key every N
 * months (30 days each) after its creation or last rotation and every cluster using it
 * re-encrypts; and dual authorization to delete, which once on cannot be turned off.
 */
export function KeyPoliciesModal({
  instanceId,
  rootKey,
  onClose,
}: {
  instanceId: string;
  rootKey: RootKey;
  onClose: () => void;
}) {
  const toast = useToast();
  const current = rootKey.rotationPolicy;
  const [enabled, setEnabled] = useState(current?.enabled ?? true);
  const [intervalMonth, setIntervalMonth] = useState(current?.intervalMonth ?? 3);
  const dualAuthOn = rootKey.dualAuthDelete?.enabled === true;
  const [dualAuth, setDualAuth] = useState(dualAuthOn);
  const save = useSetRotationPolicy(instanceId, rootKey.id);
  const lock = useTurnOnDualAuth(instanceId, rootKey.id);
  const pending = save.isPending || lock.isPending;
  const error = save.error ?? lock.error;
  const users = rootKey.registrations.map((r) => r.clusterName);
  const submit = async () => {
    const key = await save
      .mutateAsync({ enabled, ...(enabled && { intervalMonth }) })
      .catch(() => undefined);
    if (!key) return;
    if (dualAuth && !dualAuthOn && !(await lock.mutateAsync().catch(() => undefined))) return;
    toast({
      kind: 'success',
      title: key.nextRotationDate
        ? `Root key ${key.name} rotates every ${months(intervalMonth)}: next on ${dateOnly(key.nextRotationDate)}`
        : current?.enabled
          ? `Root key ${key.name} no longer rotates by policy`
          : `Policies of ${key.name} saved`,
      ...(dualAuth && !dualAuthOn && { subtitle: 'Deleting it now takes two Managers.' }),
    });
    onClose();
  };
  return (
    <Modal
      open
      modalHeading={`Policies of ${rootKey.name}`}
      primaryButtonText="Save"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={pending}
      loadingStatus={pending ? 'active' : 'inactive'}
      onRequestClose={onClose}
      onRequestSubmit={() => void submit()}
      size="sm"
    >
      <div className="kh-stack">
        {error && <ErrorState title="The policies were not saved" error={error} />}
        <Toggle
          id="rotation-enabled"
          labelText="Rotate automatically"
          labelA="Off"
          labelB="On"
          toggled={enabled}
          onToggle={setEnabled}
        />
        <Select
          id="rotation-interval"
          labelText="Rotate every"
          helperText={`A month is ${ROTATION_MONTH_DAYS} days, counted from the key's creation or its last rotation.`}
          value={String(intervalMonth)}
          disabled={!enabled}
          onChange={(e) => setIntervalMonth(Number(e.target.value))}
        >
          {MONTHS.map((n) => (
            <SelectItem key={n} value={String(n)} text={months(n)} />
          ))}
        </Select>
        <p>
          {users.length > 0
            ? `At each rotation, ${users.join(', ')} re-encrypt${users.length === 1 ? 's' : ''} all secrets under the new key version, as after a rotation by hand.`
            : 'At each rotation, every cluster that uses the key then re-encrypts its secrets under the new key version.'}
        </p>
        {rootKey.nextRotationDate && (
          <p>
            Next rotation now: <strong>{dateOnly(rootKey.nextRotationDate)}</strong>.
          </p>
        )}
        <Toggle
          id="dual-auth-delete"
          labelText="Dual authorization to delete"
          labelA="Off"
          labelB="On"
          toggled={dualAuth}
          disabled={dualAuthOn}
          onToggle={setDualAuth}
        />
        <p>
          {dualAuthOn
            ? 'On: one Manager authorizes the deletion, another deletes the key within 7 days. It cannot be turned off.'
            : 'When on, one Manager authorizes the deletion and another deletes the key within 7 days. Once on, it cannot be turned off.'}
        </p>
      </div>
    </Modal>
  );
}
