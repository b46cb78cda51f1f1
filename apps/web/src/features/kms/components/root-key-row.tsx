import { OverflowMenu, OverflowMenuItem, TableCell, TableRow, Tag } from '@carbon/react';
import {
  KeyState,
  expiresSoon,
  keyUsability,
  type RootKey,
  type RootKeyAction,
  type ServiceRole,
} from '@keyhaven/contracts';
import { Link } from 'react-router';
import { rootKeyPage } from '../../../shared/links.ts';
import { explained } from '../../../shared/ui/explained.ts';
import { Day } from '../../../shared/ui/time.tsx';

const UNUSABLE_TAG = {
  destroyed: <Tag type="red">Deleted</Tag>,
  expired: <Tag type="magenta">Expired</Tag>,
  disabled: <Tag type="warm-gray">Disabled</Tag>,
};

/** The key's state as the engine judges it (keyUsability), as a tag. */
export function StateTag({ rootKey, now }: { rootKey: RootKey; now: number }) {
  const usability = keyUsability(rootKey, new Date(now));
  return usability.usable ? <Tag type="green">Active</Tag> : UNUSABLE_TAG[usability.reason];
}

export interface RootKeyRowProps {
  rootKey: RootKey;
  /** Created just now on this page: marked New. */
  isNew?: boolean;
  now: number;
  /** Why the user may not act with this role, or undefined when they may. */
  needs: (role: ServiceRole) => string | undefined;
  onAction: (action: RootKeyAction) => void;
  onPolicy: () => void;
  onDelete: () => void;
}

/**
 * One root key: name, ID (keys of two instances may share a name), state, versions, expiry, next rotation by policy, the clusters using it,
 * and its actions.
 */
export function RootKeyRow({
  rootKey: k,
  isNew = false,
  now,
  needs,
  onAction,
  onPolicy,
  onDelete,
}: RootKeyRowProps) {
  const soon = expiresSoon(k, new Date(now));
  const lacks = (role: ServiceRole) => (needs(role) ? `needs ${role}` : undefined);
  const notActive = k.state === KeyState.Active ? undefined : 'the key is not active';
  const notRotatable = k.imported ? 'imported: import new material as a new key' : notActive;
  return (
    <TableRow>
      <TableCell>
        <Link className="cds--link" to={rootKeyPage(k.instanceId, k.id)}>
          {k.name}
        </Link>
        {k.imported && (
          <>
            {' '}
            <Tag type="purple" size="sm" title="Brought in through an import token">
              Imported
            </Tag>
          </>
        )}
        {k.aliases?.length ? <div className="kh-muted">Aliases: {k.aliases.join(', ')}</div> : null}
        {isNew && (
          <>
            {' '}
            <Tag type="cyan" size="sm">
              New
            </Tag>
          </>
        )}
      </TableCell>
      <TableCell data-label="ID">
        <span className="kh-key-id" title={k.id}>
          {k.id}
        </span>
      </TableCell>
      <TableCell>
        <StateTag rootKey={k} now={now} />
      </TableCell>
      <TableCell data-label="Versions">{k.versions.length}</TableCell>
      <TableCell data-label="Expires">
        {k.expirationDate ? (
          <>
            <Day iso={k.expirationDate} />{' '}
            {soon && (
              <Tag type="red" size="sm">
                Expires soon
              </Tag>
            )}
          </>
        ) : (
          'Never'
        )}
      </TableCell>
      <TableCell data-label="Next rotation">
        {k.nextRotationDate ? (
          <Day iso={k.nextRotationDate} />
        ) : k.imported ? (
          'Import new material'
        ) : (
          'By hand'
        )}
      </TableCell>
      <TableCell data-label="Used by clusters">
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
              itemText={explained('Rotate', lacks('Writer') ?? notRotatable)}
              disabled={notRotatable !== undefined || needs('Writer') !== undefined}
              title={needs('Writer')}
              onClick={() => onAction('rotate')}
            />
            {k.state === KeyState.Suspended ? (
              <OverflowMenuItem
                itemText={explained('Enable', lacks('Manager'))}
                disabled={needs('Manager') !== undefined}
                title={needs('Manager')}
                onClick={() => onAction('enable')}
              />
            ) : (
              <OverflowMenuItem
                itemText={explained('Disable', lacks('Manager') ?? notActive)}
                disabled={k.state !== KeyState.Active || needs('Manager') !== undefined}
                title={needs('Manager')}
                onClick={() => onAction('disable')}
              />
            )}
            <OverflowMenuItem
              itemText={explained('Policies', lacks('Manager'))}
              disabled={needs('Manager') !== undefined}
              title={needs('Manager')}
              onClick={onPolicy}
            />
            <OverflowMenuItem
              itemText={explained('Delete', lacks('Manager'))}
              isDelete
              disabled={needs('Manager') !== undefined}
              title={needs('Manager')}
              onClick={onDelete}
            />
          </OverflowMenu>
        )}
      </TableCell>
    </TableRow>
  );
}
