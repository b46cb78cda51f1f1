import { useState } from 'react';
import {
  Button,
  DataTableSkeleton,
  Dropdown,
  InlineNotification,
  OverflowMenu,
  OverflowMenuItem,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  Tag,
} from '@carbon/react';
import {
  KeyState,
  hasServiceRole,
  providerLabel,
  type KmsInstance,
  type Me,
  type RootKey,
} from '@keyhaven/contracts';
import { useNow } from '../../../shared/ui/use-now.ts';
import { useInstances, useRootKeyAction, useRootKeys } from '../api/keys.ts';
import { CreateRootKeyModal } from './create-root-key-modal.tsx';
import { DeleteRootKeyModal } from './delete-root-key-modal.tsx';

const DAY = 24 * 3600 * 1000;
const date = (iso: string) => new Date(iso).toLocaleDateString('en-US', { dateStyle: 'medium' });

function StateTag({ rootKey, now }: { rootKey: RootKey; now: number }) {
  const expired =
    rootKey.expirationDate !== undefined && new Date(rootKey.expirationDate).getTime() <= now;
  if (rootKey.state === KeyState.Destroyed) return <Tag type="red">Destroyed</Tag>;
  if (expired || rootKey.state === KeyState.Deactivated) return <Tag type="magenta">Expired</Tag>;
  if (rootKey.state === KeyState.Suspended) return <Tag type="warm-gray">Disabled</Tag>;
  return <Tag type="green">Active</Tag>;
}

/** Key management: an instance's root keys with create, rotate, disable, enable and delete. */
export function RootKeysPage({ user }: { user: Me | undefined }) {
  const instances = useInstances();
  const now = useNow();
  const [chosen, setChosen] = useState<KmsInstance | null>(null);
  const instance = chosen ?? instances.data?.[0] ?? null;
  const keys = useRootKeys(instance?.id);
  const action = useRootKeyAction(instance?.id ?? '');
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<RootKey | null>(null);
  // What the user may do here (the engine checks too): create and rotate need Writer on the
  // instance; disable, enable and delete need Manager.
  const may = (role: 'Writer' | 'Manager') =>
    instance !== null && user !== undefined && hasServiceRole(user, instance.id, role);
  const needs = (role: 'Writer' | 'Manager') =>
    may(role)
      ? undefined
      : `Needs the ${role} service role on ${instance?.name ?? 'this instance'}`;

  if (instances.isError)
    return (
      <InlineNotification
        kind="error"
        lowContrast
        hideCloseButton
        title="KMS instances could not be loaded"
        subtitle={instances.error.message}
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
        onChange={({ selectedItem }) => setChosen(selectedItem ?? null)}
      />
      {action.error && (
        <InlineNotification
          kind="error"
          lowContrast
          title="The action failed"
          subtitle={action.error.message}
          onClose={() => action.reset()}
        />
      )}
      {keys.isPending ? (
        <DataTableSkeleton
          columnCount={6}
          rowCount={4}
          showToolbar={false}
          aria-label="Loading root keys"
        />
      ) : keys.isError ? (
        <InlineNotification
          kind="error"
          lowContrast
          hideCloseButton
          title="Root keys could not be loaded"
          subtitle={keys.error.message}
        />
      ) : (
        <TableContainer
          title="Root keys"
          description="Root keys never leave the key management service; clusters use them to wrap their data encryption keys."
        >
          <TableToolbar aria-label="Root keys toolbar">
            <TableToolbarContent>
              <Button
                onClick={() => setCreating(true)}
                disabled={!may('Writer')}
                title={needs('Writer')}
              >
                Create root key
              </Button>
            </TableToolbarContent>
          </TableToolbar>
          <Table aria-label="Root keys">
            <TableHead>
              <TableRow>
                {['Name', 'State', 'Versions', 'Expires', 'Used by clusters', ''].map((h, i) => (
                  <TableHeader key={i}>
                    {h || <span className="cds--visually-hidden">Actions</span>}
                  </TableHeader>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {keys.data.map((k) => {
                const expiresSoon =
                  k.expirationDate && new Date(k.expirationDate).getTime() - now < 30 * DAY;
                return (
                  <TableRow key={k.id}>
                    <TableCell>{k.name}</TableCell>
                    <TableCell>
                      <StateTag rootKey={k} now={now} />
                    </TableCell>
                    <TableCell>{k.versions.length}</TableCell>
                    <TableCell>
                      {k.expirationDate ? (
                        <>
                          {date(k.expirationDate)}{' '}
                          {expiresSoon && (
                            <Tag type="red" size="sm">
                              Expires soon
                            </Tag>
                          )}
                        </>
                      ) : (
                        'Never'
                      )}
                    </TableCell>
                    <TableCell>
                      {k.registrations.map((r) => r.clusterName).join(', ') || '—'}
                    </TableCell>
                    <TableCell className="cds--table-column-menu">
                      {k.state !== KeyState.Destroyed && (
                        <OverflowMenu
                          aria-label={`Actions for ${k.name}`}
                          iconDescription={`Actions for ${k.name}`}
                          flipped
                          size="sm"
                        >
                          <OverflowMenuItem
                            itemText="Rotate"
                            disabled={k.state !== KeyState.Active || !may('Writer')}
                            title={needs('Writer')}
                            onClick={() => action.mutate({ keyId: k.id, action: 'rotate' })}
                          />
                          {k.state === KeyState.Suspended ? (
                            <OverflowMenuItem
                              itemText="Enable"
                              disabled={!may('Manager')}
                              title={needs('Manager')}
                              onClick={() => action.mutate({ keyId: k.id, action: 'enable' })}
                            />
                          ) : (
                            <OverflowMenuItem
                              itemText="Disable"
                              disabled={k.state !== KeyState.Active || !may('Manager')}
                              title={needs('Manager')}
                              onClick={() => action.mutate({ keyId: k.id, action: 'disable' })}
                            />
                          )}
                          <OverflowMenuItem
                            itemText="Delete"
                            isDelete
                            disabled={!may('Manager')}
                            title={needs('Manager')}
                            onClick={() => setDeleting(k)}
                          />
                        </OverflowMenu>
                      )}
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {creating && instance && (
        <CreateRootKeyModal instanceId={instance.id} onClose={() => setCreating(false)} />
      )}
      {deleting && instance && (
        <DeleteRootKeyModal
          instanceId={instance.id}
          rootKey={deleting}
          onClose={() => setDeleting(null)}
        />
      )}
    </div>
  );
}
