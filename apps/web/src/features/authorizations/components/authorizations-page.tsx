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
} from '@carbon/react';
import {
  isAccountAdministrator,
  providerLabel,
  sourceServiceLabel,
  type AuthorizationPolicy,
  type KmsInstance,
  type Me,
} from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { explained } from '../../../shared/ui/explained.ts';
import { HeaderRow } from '../../../shared/ui/header-row.tsx';
import { Day } from '../../../shared/ui/time.tsx';
import { useAuthorizations } from '../api/get-authorizations.ts';
import { CreateAuthorizationModal } from './create-authorization-modal.tsx';
import { DeleteAuthorizationModal } from './delete-authorization-modal.tsx';

const accountLabel = (accountId: string, user: Me) =>
  accountId === user.accountId ? `This account (${accountId})` : `Account ${accountId}`;

function targetLabel(policy: AuthorizationPolicy) {
  const service = providerLabel[policy.target.serviceName];
  return policy.target.instanceName
    ? `${service}: ${policy.target.instanceName}`
    : `${service}: all instances`;
}

/**
 * Service authorizations (seed 003): which accounts' Kubernetes Service may use which KMS
 * instances; create one in the seed's words, delete one after naming the clusters that rely on it.
 */
export function AuthorizationsPage({ user, instances }: { user: Me; instances: KmsInstance[] }) {
  const policies = useAuthorizations();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<AuthorizationPolicy | null>(null);
  const admin = isAccountAdministrator(user, user.accountId);

  if (policies.isError)
    return (
      <ErrorState
        title="Authorizations could not be loaded"
        error={policies.error}
        onRetry={() => void policies.refetch()}
      />
    );
  if (policies.isPending)
    return <DataTableSkeleton columnCount={6} rowCount={3} aria-label="Loading authorizations" />;
  return (
    <>
      <TableContainer
        title="Service authorizations"
        description={`${sourceServiceLabel} needs at least the Reader role on a KMS instance to use its root keys. Enabling KMS creates that authorization in the cluster's own account; another account must grant it itself.`}
      >
        <TableToolbar aria-label="Authorizations toolbar">
          <TableToolbarContent>
            <Button onClick={() => setCreating(true)} disabled={!admin}>
              {explained('Create', admin ? undefined : 'needs Administrator')}
            </Button>
          </TableToolbarContent>
        </TableToolbar>
        <Table aria-label="Service authorizations">
          <HeaderRow headers={['Source', 'Target', 'Roles', 'Used by', 'Created', '']} />
          <TableBody>
            {policies.data.length === 0 && (
              <TableRow>
                <TableCell colSpan={6}>
                  No authorization yet: enabling KMS on a cluster creates the first one.
                </TableCell>
              </TableRow>
            )}
            {policies.data.map((p) => {
              const mayDelete = isAccountAdministrator(user, p.target.accountId);
              // The real reason: a role this user lacks in their own account, or another account's.
              const whyNot = mayDelete
                ? undefined
                : p.target.accountId === user.accountId
                  ? 'needs Administrator'
                  : `only account ${p.target.accountId} can`;
              return (
                <TableRow key={p.id}>
                  <TableCell>
                    {sourceServiceLabel}
                    <div className="kh-muted">{accountLabel(p.source.accountId, user)}</div>
                  </TableCell>
                  <TableCell>
                    {targetLabel(p)}
                    <div className="kh-muted">{accountLabel(p.target.accountId, user)}</div>
                  </TableCell>
                  <TableCell>
                    {p.roles.join(', ')}
                    {p.delegation && <div className="kh-muted">Delegation allowed</div>}
                  </TableCell>
                  <TableCell>{p.dependents.map((d) => d.name).join(', ') || '—'}</TableCell>
                  <TableCell>
                    <Day iso={p.createdAt} />
                    <div className="kh-muted">by {p.createdBy}</div>
                  </TableCell>
                  <TableCell>
                    <Button
                      kind="danger--ghost"
                      size="sm"
                      disabled={!mayDelete}
                      onClick={() => setDeleting(p)}
                    >
                      {explained('Delete', whyNot)}
                      <span className="cds--visually-hidden">
                        {' '}
                        authorization to {targetLabel(p)}
                      </span>
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
      {creating && (
        <CreateAuthorizationModal
          user={user}
          instances={instances.filter((i) => i.accountId === user.accountId)}
          onClose={() => setCreating(false)}
        />
      )}
      {deleting && <DeleteAuthorizationModal policy={deleting} onClose={() => setDeleting(null)} />}
    </>
  );
}
