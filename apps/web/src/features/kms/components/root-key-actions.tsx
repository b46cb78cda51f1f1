import { Button } from '@carbon/react';
import {
  KeyState,
  hasServiceRole,
  type KmsInstance,
  type Me,
  type RootKey,
  type RootKeyAction,
  type ServiceRole,
} from '@keyhaven/contracts';
import { WhyNot } from '../../../shared/ui/why-not.tsx';
import { useKeyActions } from '../hooks/use-key-actions.ts';
import { KeyActionConfirm, KeyActionFailure } from './key-action-feedback.tsx';

/**
 * Rotate and disable or enable, on the key's own page: a user who followed a cluster's warning
 * here can put the key right without finding it again in the list. Each button that cannot be
 * used says why beside it.
 */
export function RootKeyActions({
  rootKey: k,
  instance,
  user,
}: {
  rootKey: RootKey;
  instance: KmsInstance | undefined;
  user: Me | undefined;
}) {
  const keyActions = useKeyActions(k.instanceId);
  const lacks = (role: ServiceRole) =>
    instance && user && hasServiceRole(user, instance, role)
      ? undefined
      : `Needs the ${role} service role on ${instance?.name ?? k.instanceId}`;
  const toggle: RootKeyAction = k.state === KeyState.Suspended ? 'enable' : 'disable';
  const buttons = [
    {
      name: 'rotate' as const,
      label: 'Rotate',
      why:
        lacks('Writer') ??
        (k.imported
          ? 'Is not available for imported keys: import new material as a new key'
          : k.state !== KeyState.Active
            ? 'Needs the key to be active'
            : undefined),
    },
    {
      name: toggle,
      label: toggle === 'enable' ? 'Enable' : 'Disable',
      why:
        lacks('Manager') ??
        (toggle === 'disable' && k.state !== KeyState.Active
          ? 'Needs the key to be active'
          : undefined),
    },
  ];
  if (k.state === KeyState.Destroyed) return null;
  return (
    <div className="kh-stack">
      <div className="kh-actions kh-actions--wrap">
        {buttons.map((b) => (
          <Button
            key={b.name}
            kind={b.name === 'enable' ? 'primary' : 'tertiary'}
            size="md"
            disabled={b.why !== undefined || keyActions.action.isPending}
            aria-describedby={b.why ? `why-${b.name}` : undefined}
            onClick={() => keyActions.request(k, b.name)}
          >
            {b.label}
          </Button>
        ))}
      </div>
      {buttons.map(
        (b) =>
          b.why && <WhyNot key={b.name} id={`why-${b.name}`} action={b.label} reason={b.why} />,
      )}
      <KeyActionFailure actions={keyActions} />
      <KeyActionConfirm actions={keyActions} />
    </div>
  );
}
