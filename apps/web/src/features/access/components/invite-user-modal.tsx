import { useState } from 'react';
import { Modal, PasswordInput, TextInput } from '@carbon/react';
import { UserCreate } from '@keyhaven/contracts';
import { FormError } from '../../../shared/ui/form-error.tsx';
import { useInviteUser } from '../api/invite-user.ts';

/** The first problem the contract finds with one field, or undefined. */
const problem = (field: 'username' | 'password', value: { username: string; password: string }) =>
  UserCreate.safeParse(value).error?.issues.find((i) => i.path[0] === field)?.message;

/**
 * Invite a user: a username and a first password the Administrator hands over apart. The user
 * has no role until one is granted.
 */
export function InviteUserModal({ onClose }: { onClose: () => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const invite = useInviteUser();
  const value = { username, password };
  const usernameProblem = username === '' ? undefined : problem('username', value);
  const passwordProblem = password === '' ? undefined : problem('password', value);
  const valid = UserCreate.safeParse(value).success;
  return (
    <Modal
      open
      modalHeading="Invite user"
      primaryButtonText={invite.isPending ? 'Inviting…' : 'Invite'}
      secondaryButtonText="Cancel"
      primaryButtonDisabled={!valid || invite.isPending}
      onRequestClose={onClose}
      onRequestSubmit={() => invite.mutate(value, { onSuccess: onClose })}
    >
      <div className="kh-stack">
        <FormError title="The user was not invited" error={invite.error} />
        <p>
          The user logs in with this username and first password, and has no role until you grant
          one.
        </p>
        <TextInput
          id="invite-username"
          labelText="Username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          invalid={usernameProblem !== undefined}
          invalidText={`Username ${usernameProblem ?? ''}`}
          autoComplete="off"
        />
        <PasswordInput
          id="invite-password"
          labelText="First password"
          helperText="At least 12 characters; give it to the user apart."
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          invalid={passwordProblem !== undefined}
          invalidText={`Password ${passwordProblem ?? ''}`}
          autoComplete="new-password"
        />
      </div>
    </Modal>
  );
}
