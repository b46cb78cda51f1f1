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
import { NoMatchRow } from '../../../shared/ui/no-match-row.tsx';
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

type Dialog = { kind: 'create' } | { kind: SecretDialogKind; secret: SecretMeta } | undefined;

/** No secret on this page: none at all, or none that matches the search. */
function NoSecretsRow({ search, onClear }: { search: string; onClear: () => void }) {
  if (search)
    return (
      <NoMatchRow
        colSpan={5}
        what="secrets"
        search={search}
        lookedIn="namespaces and names"
        onClear={onClear}
      />
    );
  return (
    <TableRow>
      <TableCell colSpan={5}>
        This cluster has no secrets yet. Create one, or apply one with kubectl.
      </TableCell>
    </TableRow>
  );
}

/** The dialog open on the tab, if any. */
function SecretDialog({
  clusterId,
  dialog,
  onClose,
  onCreated,
}: {
  clusterId: string;
  dialog: Dialog;
  onClose: () => void;
  onCreated: (ref: SecretRef) => void;
}) {
  if (!dialog) return null;
  if (dialog.kind === 'create')
    return <CreateSecretModal clusterId={clusterId} onClose={onClose} onCreated={onCreated} />;
  const Modal = {
    reveal: RevealSecretModal,
    verify: VerifyEncryptionModal,
    delete: DeleteSecretModal,
  }[dialog.kind];
  return <Modal clusterId={clusterId} secret={dialog.secret} onClose={onClose} />;
}

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
              ? `${count(total)} ${total === 1 ? 'secret' : 'secrets'}${search ? ` ${total === 1 ? 'matches' : 'match'} “${search}”` : ''}. Values stay hidden until you reveal one; Verify encryption shows the bytes the store holds.`
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
                <NoSecretsRow search={search} onClear={() => type('')} />
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
      <SecretDialog clusterId={clusterId} dialog={dialog} onClose={close} onCreated={created} />
    </>
  );
}
