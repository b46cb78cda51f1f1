import { useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
} from '@carbon/react';
import { ChevronLeft, ChevronRight } from '@carbon/icons-react';
import type { SecretMeta } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { PAGE_SIZE, useSecrets } from '../api/get-secrets.ts';
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

/** The cluster's secrets, as kubectl would list them: names and storage, values only on request. */
export function SecretsTab({ clusterId, canEdit }: SecretsTabProps) {
  // Cursors of the pages before the current one; the last entry is the current page's cursor.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const secrets = useSecrets(clusterId, cursor);
  const [dialog, setDialog] = useState<Dialog>();
  const close = () => setDialog(undefined);
  const page = cursors.length;

  return (
    <>
      {secrets.isError && <ErrorState title="Secrets could not be loaded" error={secrets.error} />}
      {secrets.isPending ? (
        <DataTableSkeleton columnCount={5} rowCount={6} showHeader={false} aria-label="Secrets" />
      ) : (
        <TableContainer
          title="Secrets"
          description={
            secrets.data
              ? `${secrets.data.total.toLocaleString('en-US')} secrets. Values stay hidden until you reveal one; Verify encryption shows the bytes the store holds.`
              : undefined
          }
        >
          <TableToolbar aria-label="Secrets toolbar">
            <TableToolbarContent>
              <Button
                onClick={() => setDialog({ kind: 'create' })}
                disabled={!canEdit}
                title={canEdit ? undefined : EDITOR_NEEDED}
              >
                Create secret
              </Button>
            </TableToolbarContent>
          </TableToolbar>
          <Table aria-label="Secrets" size="md">
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
                <TableRow>
                  <TableCell colSpan={5}>
                    This cluster has no secrets yet. Create one, or apply one with kubectl.
                  </TableCell>
                </TableRow>
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
          <div className="kh-pager">
            <span>
              Page {page}
              {secrets.data &&
                ` of ${Math.max(1, Math.ceil(secrets.data.total / PAGE_SIZE)).toLocaleString('en-US')}`}
            </span>
            <IconButton
              kind="ghost"
              label="Previous page"
              disabled={page === 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              <ChevronLeft />
            </IconButton>
            <IconButton
              kind="ghost"
              label="Next page"
              disabled={!secrets.data?.continue || secrets.isPlaceholderData}
              onClick={() => setCursors((c) => [...c, secrets.data?.continue ?? undefined])}
            >
              <ChevronRight />
            </IconButton>
          </div>
        </TableContainer>
      )}
      {dialog?.kind === 'create' && <CreateSecretModal clusterId={clusterId} onClose={close} />}
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
