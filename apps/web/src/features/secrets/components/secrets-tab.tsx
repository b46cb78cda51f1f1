import { useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  Pagination,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  TableToolbarSearch,
} from '@carbon/react';
import { count, type SecretMeta, type SecretRef } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { WhyNot } from '../../../shared/ui/why-not.tsx';
import { PAGE_SIZES, useSecrets } from '../api/get-secrets.ts';
import { useSecretsSearch } from '../hooks/use-secrets-search.ts';
import { CreateSecretModal } from './create-secret-modal.tsx';
import { DeleteSecretModal } from './delete-secret-modal.tsx';
import { RevealSecretModal } from './reveal-secret-modal.tsx';
import { EDITOR_NEEDED, SecretRow, type SecretDialogKind } from './secret-row.tsx';
import { VerifyEncryptionModal } from './verify-encryption-modal.tsx';

export interface SecretsTabProps {
  clusterId: string;
  /** Whether the user may create, delete and reveal (Editor or above); the engine checks too. */
  canEdit: boolean;
}

/** No secret on this page: none at all, or none that matches the search. */
function EmptyRow({ search, onClear }: { search: string; onClear: () => void }) {
  return (
    <TableRow>
      <TableCell colSpan={5}>
        {search ? (
          <div className="kh-empty">
            <h3>No secrets match “{search}”</h3>
            <p>Search looks in namespaces and names. Check the spelling, or</p>
            <Button kind="ghost" size="sm" onClick={onClear}>
              Clear the search
            </Button>
          </div>
        ) : (
          'This cluster has no secrets yet. Create one, or apply one with kubectl.'
        )}
      </TableCell>
    </TableRow>
  );
}

type Dialog = { kind: 'create' } | { kind: SecretDialogKind; secret: SecretMeta } | undefined;

/** The cluster's secrets, as kubectl would list them: names and storage, values only on request. */
export function SecretsTab({ clusterId, canEdit }: SecretsTabProps) {
  const { typed, search, page, pageSize, query, type, show, turn } = useSecretsSearch();
  const secrets = useSecrets(clusterId, query);
  const [dialog, setDialog] = useState<Dialog>();
  const close = () => setDialog(undefined);
  const toast = useToast();
  const total = secrets.data?.total ?? 0;
  // What was just created is shown at once: the search narrows the list to it.
  const created = (ref: SecretRef) => {
    const path = `${ref.namespace}/${ref.name}`;
    show(path);
    toast({
      kind: 'success',
      title: `Secret ${path} created`,
      subtitle: 'It is shown below; clear the search to see every secret.',
    });
  };

  return (
    <>
      {secrets.isError && (
        <ErrorState
          title="Secrets could not be loaded"
          error={secrets.error}
          onRetry={() => void secrets.refetch()}
        />
      )}
      {secrets.isPending ? (
        <DataTableSkeleton columnCount={5} rowCount={6} showHeader={false} aria-label="Secrets" />
      ) : (
        <TableContainer
          title="Secrets"
          description={
            secrets.data
              ? `${count(total)} ${search ? `secrets match “${search}”` : 'secrets'}. Values stay hidden until you reveal one; Verify encryption shows the bytes the store holds.`
              : undefined
          }
        >
          <TableToolbar aria-label="Secrets toolbar">
            <TableToolbarContent>
              <TableToolbarSearch
                persistent
                value={typed}
                onChange={(e) => type(typeof e === 'string' ? e : e.target.value)}
                onClear={() => type('')}
                placeholder="Search by namespace or name"
                labelText="Search secrets"
              />
              <Button
                onClick={() => setDialog({ kind: 'create' })}
                disabled={!canEdit}
                aria-describedby={canEdit ? undefined : 'create-secret-why'}
              >
                Create secret
              </Button>
            </TableToolbarContent>
          </TableToolbar>
          {!canEdit && (
            <WhyNot id="create-secret-why" action="Create secret" reason={EDITOR_NEEDED} />
          )}
          <Table
            aria-label="Secrets"
            size="md"
            aria-busy={secrets.isFetching}
            overflowMenuOnHover={false}
          >
            <TableHead>
              <TableRow>
                <TableHeader>Namespace</TableHeader>
                <TableHeader>Name</TableHeader>
                <TableHeader>Stored as</TableHeader>
                <TableHeader>Size</TableHeader>
                <TableHeader>
                  <span className="cds--visually-hidden">Actions</span>
                </TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {secrets.data?.items.length === 0 && (
                <EmptyRow search={search} onClear={() => type('')} />
              )}
              {secrets.data?.items.map((secret) => (
                <SecretRow
                  key={secret.storeKey}
                  secret={secret}
                  canEdit={canEdit}
                  onOpen={(kind) => setDialog({ kind, secret })}
                />
              ))}
            </TableBody>
          </Table>
          <Pagination
            page={page}
            pageSize={pageSize}
            pageSizes={PAGE_SIZES}
            totalItems={total}
            onChange={turn}
            itemsPerPageText="Secrets per page:"
            itemRangeText={(min, max, all) =>
              `${count(min)}–${count(max)} of ${count(all)} item${all === 1 ? '' : 's'}`
            }
            pageRangeText={(_current, pages) => `of ${count(pages)} page${pages === 1 ? '' : 's'}`}
          />
        </TableContainer>
      )}
      {dialog?.kind === 'create' && (
        <CreateSecretModal clusterId={clusterId} onClose={close} onCreated={created} />
      )}
      {dialog?.kind === 'reveal' && (
        <RevealSecretModal clusterId={clusterId} secret={dialog.secret} onClose={close} />
      )}
      {dialog?.kind === 'verify' && (
        <VerifyEncryptionModal clusterId={clusterId} secret={dialog.secret} onClose={close} />
      )}
      {dialog?.kind === 'delete' && (
        <DeleteSecretModal clusterId={clusterId} secret={dialog.secret} onClose={close} />
      )}
    </>
  );
}
