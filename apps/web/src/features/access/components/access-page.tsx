import { useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  Tag,
} from '@carbon/react';
import {
  isAccountAdministrator,
  type AccessPolicy,
  type ClusterRow,
  type KmsInstance,
  type Me,
  type User,
} from '@keyhaven/contracts';
import { DangerModal } from '../../../shared/ui/danger-modal.tsx';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { HeaderRow } from '../../../shared/ui/header-row.tsx';
import { Day } from '../../../shared/ui/time.tsx';
import { useAccessPolicies, useUsers } from '../api/get-users.ts';
import { useRemoveUser } from '../api/remove-user.ts';
import { useRevokeAccess } from '../api/revoke-access.ts';
import { GrantAccessModal } from './grant-access-modal.tsx';
import { InviteUserModal } from './invite-user-modal.tsx';

const attribute = (p: AccessPolicy, name: string) =>
  p.resources[0]?.attributes.find((a) => a.name === name)?.value;

/** "KMS instance kp-us-south", "All clusters". */
function resourceLabel(p: AccessPolicy, names: Map<string, string>) {
  const kms = attribute(p, 'serviceName') === 'kms';
  const id = attribute(p, 'serviceInstance');
  if (!id) return kms ? 'All KMS instances' : 'All clusters';
  return `${kms ? 'KMS instance' : 'Cluster'} ${names.get(id) ?? id}`;
}

function RemoveUserModal({ user, onClose }: { user: User; onClose: () => void }) {
  const remove = useRemoveUser();
  return (
    <DangerModal
      heading={`Remove ${user.username}`}
      action="Remove"
      running="Removing…"
      pending={remove.isPending}
      error={remove.error}
      failed="The user was not removed"
      onConfirm={() => remove.mutate(user.id, { onSuccess: onClose })}
      onClose={onClose}
    >
      <p>
        {user.username} loses every role and cannot log in any more; their API keys and sessions
        stop working at once.
      </p>
    </DangerModal>
  );
}

function RevokeModal({
  policy,
  label,
  onClose,
}: {
  policy: AccessPolicy;
  label: string;
  onClose: () => void;
}) {
  const revoke = useRevokeAccess();
  return (
    <DangerModal
      heading="Revoke access"
      action="Revoke"
      running="Revoking…"
      pending={revoke.isPending}
      error={revoke.error}
      failed="Access was not revoked"
      onConfirm={() => revoke.mutate(policy.id, { onSuccess: onClose })}
      onClose={onClose}
    >
      <p>{label}</p>
    </DangerModal>
  );
}

/** The account's users, with Grant access and Remove on each. */
function UsersTable(props: {
  users: User[];
  me: string;
  onInvite: () => void;
  onGrant: (user: User) => void;
  onRemove: (user: User) => void;
}) {
  return (
    <TableContainer
      title="Users"
      description="People of this account. A role applies to the user's next request."
    >
      <TableToolbar aria-label="Users toolbar">
        <TableToolbarContent>
          <Button onClick={props.onInvite}>Invite user</Button>
        </TableToolbarContent>
      </TableToolbar>
      <Table aria-label="Users">
        <HeaderRow headers={['Username', 'Invited', '', '']} />
        <TableBody>
          {props.users.map((u) => (
            <TableRow key={u.id}>
              <TableCell>
                {u.username}
                {u.administrator && (
                  <>
                    {' '}
                    <Tag type="blue" size="sm">
                      Administrator
                    </Tag>
                  </>
                )}
                {u.id === props.me && <div className="kh-muted">You</div>}
              </TableCell>
              <TableCell>
                {u.createdAt ? (
                  <>
                    <Day iso={u.createdAt} />
                    <div className="kh-muted">by {u.createdBy}</div>
                  </>
                ) : (
                  '—'
                )}
              </TableCell>
              <TableCell>
                <Button
                  kind="ghost"
                  size="sm"
                  aria-label={`Grant access to ${u.username}`}
                  onClick={() => props.onGrant(u)}
                >
                  Grant access
                </Button>
              </TableCell>
              <TableCell>
                <Button
                  kind="danger--ghost"
                  size="sm"
                  aria-label={`Remove ${u.username}`}
                  onClick={() => props.onRemove(u)}
                >
                  Remove
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Who holds which role where, with Revoke on each. */
function PoliciesTable(props: {
  policies: AccessPolicy[];
  userNames: Map<string, string>;
  names: Map<string, string>;
  onRevoke: (revoking: { policy: AccessPolicy; label: string }) => void;
}) {
  return (
    <TableContainer title="Access policies" description="Who holds which role where.">
      <Table aria-label="Access policies">
        <HeaderRow headers={['User', 'Role', 'Resource', '']} />
        <TableBody>
          {props.policies.map((p) => {
            const who = props.userNames.get(p.subjects[0]?.attributes[0]?.value ?? '') ?? '?';
            const role = p.roles[0]?.role_id ?? '';
            const where = resourceLabel(p, props.names);
            return (
              <TableRow key={p.id}>
                <TableCell>{who}</TableCell>
                <TableCell>{role}</TableCell>
                <TableCell>{where}</TableCell>
                <TableCell>
                  <Button
                    kind="danger--ghost"
                    size="sm"
                    aria-label={`Revoke ${role} of ${who} on ${where}`}
                    onClick={() =>
                      props.onRevoke({ policy: p, label: `${who} loses ${role} on ${where}.` })
                    }
                  >
                    Revoke
                  </Button>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/**
 * The account's users and their access (IAM's users and access policies): an Administrator
 * invites users, grants them roles on KMS instances and clusters, and removes them. The account
 * keeps at least one Administrator.
 */
export function AccessPage({
  user,
  instances,
  clusters,
}: {
  user: Me;
  instances: KmsInstance[];
  clusters: ClusterRow[];
}) {
  const admin = isAccountAdministrator(user, user.accountId);
  const users = useUsers(admin);
  const policies = useAccessPolicies(admin);
  const [inviting, setInviting] = useState(false);
  const [granting, setGranting] = useState<User | null>(null);
  const [removing, setRemoving] = useState<User | null>(null);
  const [revoking, setRevoking] = useState<{ policy: AccessPolicy; label: string } | null>(null);
  if (!admin)
    return (
      <p>
        Only an account Administrator (Administrator on every cluster of the account) manages users
        and their access. Ask one to grant you the roles you need.
      </p>
    );
  const failed = users.error ?? policies.error;
  if (failed)
    return (
      <ErrorState
        title="Users could not be loaded"
        error={failed}
        onRetry={() => void Promise.all([users.refetch(), policies.refetch()])}
      />
    );
  if (!users.data || !policies.data)
    return <DataTableSkeleton columnCount={4} rowCount={3} aria-label="Loading users" />;
  const names = new Map([
    ...instances.map((i) => [i.id, i.name] as const),
    ...clusters.map((c) => [c.id, c.name] as const),
  ]);
  return (
    <>
      <UsersTable
        users={users.data.users}
        me={user.id}
        onInvite={() => setInviting(true)}
        onGrant={setGranting}
        onRemove={setRemoving}
      />
      <PoliciesTable
        policies={policies.data.policies}
        userNames={new Map(users.data.users.map((u) => [u.id, u.username]))}
        names={names}
        onRevoke={setRevoking}
      />
      {inviting && <InviteUserModal onClose={() => setInviting(false)} />}
      {granting && (
        <GrantAccessModal
          user={granting}
          instances={instances.filter((i) => i.accountId === user.accountId)}
          clusters={clusters}
          onClose={() => setGranting(null)}
        />
      )}
      {removing && <RemoveUserModal user={removing} onClose={() => setRemoving(null)} />}
      {revoking && (
        <RevokeModal
          policy={revoking.policy}
          label={revoking.label}
          onClose={() => setRevoking(null)}
        />
      )}
    </>
  );
}
