import { useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  Dropdown,
  Table,
  TableBody,
  TableContainer,
  TableToolbar,
  TableToolbarContent,
} from '@carbon/react';
import {
  hasServiceRole,
  providerLabel,
  type KmsInstance,
  type Me,
  type RootKey,
  type RootKeyAction,
  type ServiceRole,
} from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { HeaderRow } from '../../../shared/ui/header-row.tsx';
import { useUrlSort } from '../../../shared/ui/use-url-sort.ts';
import { useNow } from '../../../shared/ui/use-now.ts';
import { WhyNot } from '../../../shared/ui/why-not.tsx';
import { useInstances } from '../api/get-instances.ts';
import { useRootKeys } from '../api/get-root-keys.ts';
import { useChosenInstance } from '../hooks/use-chosen-instance.ts';
import { useKeyActions } from '../hooks/use-key-actions.ts';
import { KeyActionConfirm, KeyActionFailure } from './key-action-feedback.tsx';
import { CreateRootKeyModal } from './create-root-key-modal.tsx';
import { DeleteRootKeyModal } from './delete-root-key-modal.tsx';
import { RootKeyRow } from './root-key-row.tsx';
import { KeyPoliciesModal } from './key-policies-modal.tsx';

/** The instance's root keys, with Create root key and each key's actions. */
/** The root keys table's sortable columns, in its order (the last, actions, sorts nothing). */
const KEY_SORTS = [
  'name',
  'id',
  'state',
  'versions',
  'expires',
  'next-rotation',
  'used-by',
] as const;

/** What a root key sorts by in each column; a key that never expires or rotates sorts last. */
function keySortValue(k: RootKey, column: string): string | number {
  switch (column) {
    case 'id':
      return k.id;
    case 'state':
      return k.state;
    case 'versions':
      return k.versions.length;
    case 'expires':
      return k.expirationDate ?? '9999';
    case 'next-rotation':
      return k.nextRotationDate ?? '9999';
    case 'used-by':
      return k.registrations.length;
    default:
      return k.name;
  }
}

function RootKeysTable({
  rootKeys,
  created,
  now,
  needs,
  onCreate,
  onAction,
  onPolicy,
  onDelete,
}: {
  rootKeys: RootKey[];
  /** The key created last on this page, marked New. */
  created: string | null;
  now: number;
  needs: (role: ServiceRole) => string | undefined;
  onCreate: () => void;
  onAction: (rootKey: RootKey, action: RootKeyAction) => void;
  onPolicy: (rootKey: RootKey) => void;
  onDelete: (rootKey: RootKey) => void;
}) {
  const whyNotCreate = needs('Writer');
  const sort = useUrlSort(KEY_SORTS);
  const shown = sort.sorted(rootKeys, keySortValue);
  return (
    <TableContainer
      title="Root keys"
      description="Root keys never leave the key management service; clusters use them to wrap their data encryption keys."
    >
      <TableToolbar aria-label="Root keys toolbar">
        <TableToolbarContent>
          <Button
            onClick={onCreate}
            disabled={whyNotCreate !== undefined}
            aria-describedby={whyNotCreate ? 'create-key-why' : undefined}
          >
            Create root key
          </Button>
        </TableToolbarContent>
      </TableToolbar>
      {whyNotCreate && (
        <WhyNot id="create-key-why" action="Create root key" reason={whyNotCreate} />
      )}
      {/* Row actions show at all times, not only on hover (issue 13, item 18). */}
      <Table aria-label="Root keys" overflowMenuOnHover={false}>
        <HeaderRow
          sort={sort}
          sortKeys={[...KEY_SORTS, undefined]}
          headers={[
            'Name',
            'ID',
            'State',
            'Versions',
            'Expires',
            'Next rotation',
            'Used by clusters',
            '',
          ]}
        />
        <TableBody>
          {shown.map((k) => (
            <RootKeyRow
              key={k.id}
              rootKey={k}
              isNew={k.id === created}
              now={now}
              needs={needs}
              onAction={(name) => onAction(k, name)}
              onPolicy={() => onPolicy(k)}
              onDelete={() => onDelete(k)}
            />
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Key management: an instance's root keys with create, rotate, disable, enable and delete. */
export function RootKeysPage({ user }: { user: Me | undefined }) {
  const instances = useInstances();
  const now = useNow();
  const { instance, choose } = useChosenInstance(instances.data);
  const keys = useRootKeys(instance?.id);
  const keyActions = useKeyActions(instance?.id ?? '');
  const [creating, setCreating] = useState(false);
  // The key created last here is marked, wherever its name sorts it.
  const [created, setCreated] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<RootKey | null>(null);
  const [policyOf, setPolicyOf] = useState<RootKey | null>(null);
  // What the user may do here (the engine checks too): create and rotate need Writer on the
  // instance; disable, enable, delete and the rotation policy need Manager.
  const may = (role: ServiceRole) =>
    instance !== null && user !== undefined && hasServiceRole(user, instance, role);
  const needs = (role: ServiceRole) =>
    may(role)
      ? undefined
      : `Needs the ${role} service role on ${instance?.name ?? 'this instance'}`;

  if (instances.isError)
    return (
      <ErrorState
        title="KMS instances could not be loaded"
        error={instances.error}
        onRetry={() => void instances.refetch()}
      />
    );
  return (
    <div className="kh-stack">
      <Dropdown<KmsInstance>
        id="instance"
        titleText="Key management service instance"
        label="Choose an instance"
        items={instances.data ?? []}
        itemToString={(i) => (i ? `${i.name} (${providerLabel[i.provider]}, ${i.region})` : '')}
        selectedItem={instance ?? undefined}
        onChange={({ selectedItem }) => choose(selectedItem?.id)}
      />
      <KeyActionFailure actions={keyActions} />
      {keys.isPending ? (
        <DataTableSkeleton
          columnCount={7}
          rowCount={4}
          showToolbar={false}
          aria-label="Loading root keys"
        />
      ) : keys.isError ? (
        <ErrorState
          title="Root keys could not be loaded"
          error={keys.error}
          onRetry={() => void keys.refetch()}
        />
      ) : (
        <RootKeysTable
          rootKeys={keys.data}
          created={created}
          now={now}
          needs={needs}
          onCreate={() => setCreating(true)}
          onAction={keyActions.request}
          onPolicy={setPolicyOf}
          onDelete={setDeleting}
        />
      )}
      {creating && instance && (
        <CreateRootKeyModal
          instanceId={instance.id}
          instanceName={instance.name}
          onCreated={(key) => setCreated(key.id)}
          onClose={() => setCreating(false)}
        />
      )}
      {policyOf && instance && (
        <KeyPoliciesModal
          instanceId={instance.id}
          rootKey={policyOf}
          onClose={() => setPolicyOf(null)}
        />
      )}
      {deleting && instance && (
        <DeleteRootKeyModal
          instanceId={instance.id}
          rootKey={deleting}
          username={user?.username}
          onClose={() => setDeleting(null)}
        />
      )}
      <KeyActionConfirm actions={keyActions} />
    </div>
  );
}
