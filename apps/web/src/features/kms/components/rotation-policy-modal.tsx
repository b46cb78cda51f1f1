import { useState } from 'react';
import { Modal, Select, SelectItem, Toggle } from '@carbon/react';
import { ROTATION_MONTH_DAYS, dateOnly, type RootKey } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { useSetRotationPolicy } from '../api/set-rotation-policy.ts';

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);
const months = (n: number) => `${n} month${n === 1 ? '' : 's'}`;

/**
 * A root key's rotation policy (Key Protect's): the engine rotates the key every N months
 * (30 days each) after its creation or last rotation, and every cluster using it re-encrypts.
 */
export function RotationPolicyModal({
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
  const save = useSetRotationPolicy(instanceId, rootKey.id);
  const users = rootKey.registrations.map((r) => r.clusterName);
  const submit = () =>
    save.mutate(
      { enabled, ...(enabled && { intervalMonth }) },
      {
        onSuccess: (key) => {
          toast({
            kind: 'success',
            title: key.nextRotationDate
              ? `Root key ${key.name} rotates every ${months(intervalMonth)}: next on ${dateOnly(key.nextRotationDate)}`
              : `Root key ${key.name} no longer rotates by policy`,
          });
          onClose();
        },
      },
    );
  return (
    <Modal
      open
      modalHeading={`Rotation policy of ${rootKey.name}`}
      primaryButtonText="Save"
      secondaryButtonText="Cancel"
      primaryButtonDisabled={save.isPending}
      loadingStatus={save.isPending ? 'active' : 'inactive'}
      onRequestClose={onClose}
      onRequestSubmit={submit}
      size="sm"
    >
      <div className="kh-stack">
        {save.error && <ErrorState title="The rotation policy was not saved" error={save.error} />}
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
      </div>
    </Modal>
  );
}
