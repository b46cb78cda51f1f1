import {
  DataTableSkeleton,
  InlineNotification,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
} from '@carbon/react';
import { Link } from 'react-router';
import type { ClusterRow, Dashboard } from '@keyhaven/contracts';
import { rootKeyPage } from '../../../shared/links.ts';
import { MasterStatusText } from '../../../shared/ui/master-status.tsx';
import { Timestamp } from '../../../shared/ui/time.tsx';
import {
  clusterStates,
  expiringKeys,
  keyAges,
  nextRotations,
  rateText,
  troubledClusters,
} from '../summaries.ts';
import { ChartTile } from './chart-tile.tsx';

const clusterLink = (id: string, name: string) => (
  <Link className="cds--link" to={`/clusters/${encodeURIComponent(id)}`}>
    {name}
  </Link>
);

function Troubled({ clusters }: { clusters: ClusterRow[] }) {
  const troubled = troubledClusters(clusters);
  return (
    <TableContainer title="Clusters in warning" description="Critical first, with the reason.">
      <Table aria-label="Clusters in warning" size="md">
        <TableHead>
          <TableRow>
            <TableHeader>Cluster</TableHeader>
            <TableHeader>Master status</TableHeader>
            <TableHeader>Root key</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {troubled.length === 0 && (
            <TableRow>
              <TableCell colSpan={3}>No cluster is in warning or critical.</TableCell>
            </TableRow>
          )}
          {troubled.map((c) => (
            <TableRow key={c.id}>
              <TableCell data-label="Cluster">{clusterLink(c.id, c.name)}</TableCell>
              <TableCell data-label="Master status">
                <MasterStatusText health={c.masterHealth} message={c.masterStatus} />
              </TableCell>
              <TableCell data-label="Root key">
                {c.kms ? `${c.kms.rootKeyName} (${c.kms.instanceName})` : '—'}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function Expiring({ data, now }: { data: Dashboard; now: Date }) {
  const keys = expiringKeys(data.keys, now);
  return (
    <TableContainer title="Root keys expiring within 30 days" description="Soonest first.">
      <Table aria-label="Root keys expiring within 30 days" size="md">
        <TableHead>
          <TableRow>
            <TableHeader>Root key</TableHeader>
            <TableHeader>KMS instance</TableHeader>
            <TableHeader>Expires</TableHeader>
            <TableHeader>Used by</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {keys.length === 0 && (
            <TableRow>
              <TableCell colSpan={4}>No root key expires within 30 days.</TableCell>
            </TableRow>
          )}
          {keys.map((k) => (
            <TableRow key={k.id}>
              <TableCell data-label="Root key">
                <Link className="cds--link" to={rootKeyPage(k.instanceId, k.id)}>
                  {k.name}
                </Link>
              </TableCell>
              <TableCell data-label="KMS instance">{k.instanceName}</TableCell>
              <TableCell data-label="Expires">
                {k.expirationDate && Date.parse(k.expirationDate) <= now.getTime() ? (
                  <Tag type="red" size="sm">
                    Expired
                  </Tag>
                ) : null}{' '}
                {k.expirationDate && <Timestamp iso={k.expirationDate} />}
              </TableCell>
              <TableCell data-label="Used by">
                {k.usedBy === 1 ? '1 cluster or plug-in' : `${k.usedBy} clusters or plug-ins`}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

const REASONS = { enable: 'Enable', update: 'Update', rotate: 'Rotation' } as const;
const STATES = {
  running: (
    <Tag type="blue" size="sm">
      Running
    </Tag>
  ),
  retrying: (
    <Tag type="magenta" size="sm">
      Paused
    </Tag>
  ),
  succeeded: (
    <Tag type="green" size="sm">
      Finished
    </Tag>
  ),
  failed: (
    <Tag type="red" size="sm">
      Failed
    </Tag>
  ),
};

function Migrations({ data }: { data: Dashboard }) {
  return (
    <TableContainer
      title="Latest migrations"
      description="Each cluster's latest re-encryption of its secrets, newest first."
    >
      <Table aria-label="Latest migrations" size="md">
        <TableHead>
          <TableRow>
            <TableHeader>Cluster</TableHeader>
            <TableHeader>What</TableHeader>
            <TableHeader>State</TableHeader>
            <TableHeader>Secrets</TableHeader>
            <TableHeader>Throughput</TableHeader>
            <TableHeader>Started</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {data.migrations.length === 0 && (
            <TableRow>
              <TableCell colSpan={6}>No cluster has been re-encrypted yet.</TableCell>
            </TableRow>
          )}
          {data.migrations.map((m) => (
            <TableRow key={m.clusterId}>
              <TableCell data-label="Cluster">{clusterLink(m.clusterId, m.clusterName)}</TableCell>
              <TableCell data-label="What">
                {REASONS[m.reason]}
                {m.rootKeyName && <span className="kh-muted"> · {m.rootKeyName}</span>}
              </TableCell>
              <TableCell data-label="State">{STATES[m.state]}</TableCell>
              <TableCell data-label="Secrets">
                {m.done.toLocaleString('en-US')} of {m.total.toLocaleString('en-US')}
              </TableCell>
              <TableCell data-label="Throughput">{rateText(m)}</TableCell>
              <TableCell data-label="Started">
                <Timestamp iso={m.startedAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/**
 * The fleet at a glance: clusters by encryption state (live), root keys by age and by next
 * rotation, keys about to expire, clusters in warning, and the latest migrations.
 */
export function FleetDashboard({
  clusters,
  dashboard,
  now,
}: {
  clusters: ClusterRow[];
  dashboard: { data?: Dashboard | undefined; isPending: boolean };
  now: Date;
}) {
  const data = dashboard.data;
  return (
    <div className="kh-dashboard">
      <div className="kh-dashboard__charts">
        <ChartTile
          id="cluster-states"
          kind="donut"
          title="Clusters by encryption state"
          group="Encryption state"
          unit="Clusters"
          data={clusterStates(clusters)}
        />
        {data && (
          <>
            <ChartTile
              id="key-ages"
              kind="bar"
              title="Root keys by age"
              group="Age of the current key material"
              unit="Root keys"
              data={keyAges(data.keys, now)}
            />
            <ChartTile
              id="key-rotations"
              kind="bar"
              title="Root keys by next rotation"
              group="Next rotation"
              unit="Root keys"
              data={nextRotations(data.keys, now)}
            />
          </>
        )}
      </div>
      {data && data.unreadInstances.length > 0 && (
        <InlineNotification
          kind="info"
          lowContrast
          hideCloseButton
          title="Some root keys are not counted"
          subtitle={`You cannot read the keys of ${data.unreadInstances.join(', ')}.`}
        />
      )}
      <Troubled clusters={clusters} />
      {data ? (
        <>
          <Expiring data={data} now={now} />
          <Migrations data={data} />
        </>
      ) : (
        <DataTableSkeleton columnCount={4} rowCount={4} showHeader={false} aria-label="Root keys" />
      )}
    </div>
  );
}
