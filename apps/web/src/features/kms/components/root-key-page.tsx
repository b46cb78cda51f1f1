import type { ReactNode } from 'react';
import {
  InlineNotification,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableRow,
  Tag,
} from '@carbon/react';
import { Link } from 'react-router';
import {
  keyUsability,
  providerLabel,
  type KmsInstance,
  type Me,
  type RootKey,
} from '@keyhaven/contracts';
import { ActivityTable } from '../../../shared/ui/activity-table.tsx';
import { HeaderRow } from '../../../shared/ui/header-row.tsx';
import { SummaryRow } from '../../../shared/ui/summary-row.tsx';
import { Day, Timestamp } from '../../../shared/ui/time.tsx';
import { useNow } from '../../../shared/ui/use-now.ts';
import { useRootKeyActivity } from '../api/get-root-key.ts';
import { RootKeyActions } from './root-key-actions.tsx';
import { StateTag } from './root-key-row.tsx';

const kindLabel = { cluster: 'Cluster', 'kms-plugin': 'KMS plug-in' } as const;

/** The clusters and KMS plug-ins whose data the key wraps, each a link where it has a page. */
function UsedBy({ rootKey }: { rootKey: RootKey }) {
  return (
    <TableContainer
      title="Used by"
      description="Clusters and KMS plug-ins whose data encryption keys this root key wraps: disabling it stops them reading secrets, deleting it loses their data."
    >
      <Table aria-label="Used by" size="md">
        <HeaderRow headers={['Name', 'Kind', 'Key version', 'Since']} />
        <TableBody>
          {rootKey.registrations.length === 0 && (
            <TableRow>
              <TableCell colSpan={4}>No cluster or plug-in uses this root key.</TableCell>
            </TableRow>
          )}
          {rootKey.registrations.map((r) => (
            <TableRow key={`${r.kind}:${r.clusterId}`}>
              <TableCell className="kh-wrap-anywhere">
                {r.kind === 'cluster' ? (
                  <Link className="cds--link" to={`/clusters/${encodeURIComponent(r.clusterId)}`}>
                    {r.clusterName}
                  </Link>
                ) : (
                  r.clusterName
                )}
              </TableCell>
              <TableCell>{kindLabel[r.kind]}</TableCell>
              <TableCell>
                <span className="kh-key-id" title={r.keyVersion}>
                  {r.keyVersion.slice(0, 8)}
                </span>
              </TableCell>
              <TableCell>
                <Day iso={r.createdAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

export interface RootKeyDetailsProps {
  rootKey: RootKey;
  instance: KmsInstance | undefined;
  user: Me | undefined;
  /** The authorizations that reach the key's instance (from the authorizations feature). */
  authorizations: ReactNode;
}

/**
 * A root key's page: what it is, its policies and pending deletion, who uses it (with links),
 * the authorizations that reach it, its versions and its activity.
 */
export function RootKeyDetails({
  rootKey: k,
  instance,
  user,
  authorizations,
}: RootKeyDetailsProps) {
  const now = useNow();
  const usability = keyUsability(k, new Date(now));
  const activity = useRootKeyActivity(k.instanceId, k.id);
  const dual = k.dualAuthDelete;
  const row = (label: string, value: ReactNode) => (
    <SummaryRow label={label} loading={false} failed={false}>
      {value}
    </SummaryRow>
  );
  return (
    <div className="kh-stack">
      {!usability.usable && (
        <InlineNotification
          kind={usability.reason === 'disabled' ? 'warning' : 'error'}
          lowContrast
          hideCloseButton
          title={usability.message}
          subtitle={
            k.registrations.length > 0
              ? `Used by ${k.registrations.map((r) => r.clusterName).join(', ')}.`
              : undefined
          }
        />
      )}
      <RootKeyActions rootKey={k} instance={instance} user={user} />
      <section aria-labelledby="key-summary" className="kh-summary">
        <h2 id="key-summary">Summary</h2>
        <div role="table" aria-labelledby="key-summary">
          {row('ID', <code className="kh-wrap-anywhere">{k.id}</code>)}
          {row(
            'Instance',
            <>
              <Link className="cds--link" to={`/kms?instance=${encodeURIComponent(k.instanceId)}`}>
                {instance?.name ?? k.instanceId}
              </Link>
              {instance && (
                <>
                  {' '}
                  <Tag type="blue" size="sm">
                    {providerLabel[instance.provider]}
                  </Tag>
                </>
              )}
            </>,
          )}
          {row('State', <StateTag rootKey={k} now={now} />)}
          {row(
            'Created',
            <>
              <Timestamp iso={k.creationDate} /> by {k.createdBy}
            </>,
          )}
          {row('Last rotated', k.lastRotateDate ? <Timestamp iso={k.lastRotateDate} /> : 'Never')}
          {row('Expires', k.expirationDate ? <Day iso={k.expirationDate} /> : 'Never')}
          {row(
            'Rotation policy',
            k.rotationPolicy?.enabled && k.nextRotationDate ? (
              <>
                Every {k.rotationPolicy.intervalMonth} month(s); next on{' '}
                <Day iso={k.nextRotationDate} />
              </>
            ) : k.imported ? (
              'None: import new material as a new key'
            ) : (
              'None: rotated by hand'
            ),
          )}
          {row(
            'Dual authorization to delete',
            !dual?.enabled
              ? 'Off: one Manager can delete the key'
              : dual.keySetForDeletion && !dual.lapsed && dual.authExpiration
                ? `On; deletion authorized by ${dual.authorizedBy ?? 'a Manager'} until ${new Date(dual.authExpiration).toLocaleString()}: a second Manager can delete it`
                : 'On: deleting takes two Managers',
          )}
          {k.aliases?.length ? row('Aliases', k.aliases.join(', ')) : null}
        </div>
      </section>
      <UsedBy rootKey={k} />
      {authorizations}
      <TableContainer title="Versions" description="The newest wraps new data; older ones unwrap.">
        <Table aria-label="Versions" size="sm">
          <HeaderRow headers={['Version', 'Created']} />
          <TableBody>
            {[...k.versions].reverse().map((v) => (
              <TableRow key={v.id}>
                <TableCell>
                  <code className="kh-wrap-anywhere">{v.id}</code>
                  {v.id === k.keyVersion.id && (
                    <>
                      {' '}
                      <Tag type="green" size="sm">
                        Current
                      </Tag>
                    </>
                  )}
                </TableCell>
                <TableCell>
                  <Timestamp iso={v.creationDate} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      <ActivityTable activity={activity} empty="Nothing has happened to this root key yet." />
    </div>
  );
}
