import { useState, type ReactNode } from 'react';
import {
  Button,
  DataTable,
  DataTableSkeleton,
  InlineNotification,
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
  Tag,
} from '@carbon/react';
import { Link, useSearchParams } from 'react-router';
import type { ClusterRow } from '@keyhaven/contracts';
import {
  encryptionState,
  encryptionStateLabel,
  isEncryptionState,
} from '../../../shared/encryption-state.ts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { MasterStatusText } from '../../../shared/ui/master-status.tsx';
import { NoMatchRow } from '../../../shared/ui/no-match-row.tsx';
import { useUrlSort } from '../../../shared/ui/use-url-sort.ts';
import { useClusters } from '../api/get-clusters.ts';
import { useClustersLive } from '../hooks/use-clusters-live.ts';
import { ConnectClusterModal } from './connect-cluster-modal.tsx';

const headers = [
  { key: 'name', header: 'Name' },
  { key: 'location', header: 'Location' },
  { key: 'version', header: 'Version' },
  { key: 'masterStatus', header: 'Master status' },
  { key: 'kms', header: 'Key management service' },
];

/** A column's header, which names its cells when a phone stacks them (not the name column's). */
const headerOf = (key: string) =>
  key === 'name' ? undefined : headers.find((h) => h.key === key)?.header;

function cellContent(cluster: ClusterRow, key: string) {
  switch (key) {
    case 'name':
      return (
        <>
          <Link className="cds--link" to={`/clusters/${cluster.id}`}>
            {cluster.name}
          </Link>
          {cluster.server && (
            <>
              {' '}
              <Tag type="blue" size="sm" title={cluster.server}>
                Connected
              </Tag>
            </>
          )}
        </>
      );
    case 'masterStatus':
      return <MasterStatusText health={cluster.masterHealth} message={cluster.masterStatus} />;
    case 'kms':
      return cluster.kmsEnabled ? (
        <div>
          <Tag type="green" size="sm">
            Enabled
          </Tag>
          {cluster.kms && (
            <div className="kh-muted">
              {cluster.kms.instanceName} · root key {cluster.kms.rootKeyName}
            </div>
          )}
        </div>
      ) : (
        <Tag type="gray" size="sm">
          Not enabled
        </Tag>
      );
    default:
      return undefined;
  }
}

function NoClusters({ children }: { children: React.ReactNode }) {
  return (
    <div className="kh-empty">
      <h2>No clusters yet</h2>
      <p>
        You can see clusters on which you hold at least the Viewer platform role. Ask an
        administrator of your account for access.
      </p>
      {children}
    </div>
  );
}

/** The clusters as a sortable, searchable Carbon DataTable; `toolbarAction` sits by the search. */
function ClustersDataTable({
  clusters,
  toolbarAction,
}: {
  clusters: ClusterRow[];
  toolbarAction: ReactNode;
}) {
  // The search and the state filter live in the URL: a filtered list can be shared, reloaded,
  // and reached from the dashboard (issue 30).
  const [params, setParams] = useSearchParams();
  const sort = useUrlSort(headers.map((h) => h.key));
  const search = params.get('search') ?? '';
  const stateParam = params.get('state');
  const state = isEncryptionState(stateParam) ? stateParam : null;
  const setParam = (name: string, value: string) =>
    setParams(
      (p) => {
        if (value) p.set(name, value);
        else p.delete(name);
        return p;
      },
      { replace: true },
    );
  const filter = (value: string) => setParam('search', value);
  const byId = new Map(clusters.map((c) => [c.id, c]));
  const needle = search.trim().toLowerCase();
  const rows = clusters
    .filter((c) => state === null || encryptionState(c) === state)
    .map((c) => ({
      id: c.id,
      name: c.name,
      location: c.location,
      version: c.masterKubeVersion,
      masterStatus: c.masterStatus,
      kms: c.kms ? `Enabled ${c.kms.instanceName} ${c.kms.rootKeyName}` : 'Not enabled',
    }))
    .filter((r) => !needle || Object.values(r).some((v) => v.toLowerCase().includes(needle)));
  const sorted = sort.sorted(rows, (r, column) => r[column as keyof typeof r]);
  return (
    // Sorting is ours, kept in the URL beside the search (Carbon's would forget it on reload).
    <DataTable rows={sorted} headers={headers}>
      {({
        rows: tableRows,
        headers: tableHeaders,
        getHeaderProps,
        getRowProps,
        getTableProps,
        getToolbarProps,
      }) => {
        return (
          <TableContainer
            title="Clusters"
            description="Clusters in your account. Select one to manage its key management service."
          >
            <TableToolbar {...getToolbarProps()} aria-label="Clusters toolbar">
              <TableToolbarContent>
                <TableToolbarSearch
                  value={search}
                  onChange={(e) => filter(typeof e === 'string' ? e : e.target.value)}
                  onClear={() => filter('')}
                  persistent
                  placeholder="Search clusters"
                  labelText="Search clusters"
                />
                {state && (
                  <>
                    <Tag type="blue">State: {encryptionStateLabel(state)}</Tag>
                    <Button kind="ghost" size="lg" onClick={() => setParam('state', '')}>
                      Show every state
                    </Button>
                  </>
                )}
                {toolbarAction}
              </TableToolbarContent>
            </TableToolbar>
            <Table {...getTableProps()} aria-label="Clusters">
              <TableHead>
                <TableRow>
                  {tableHeaders.map((header) => {
                    const { key, ...props } = getHeaderProps({ header });
                    return (
                      <TableHeader key={key} {...props} {...sort.headerProps(header.key)}>
                        {header.header}
                      </TableHeader>
                    );
                  })}
                </TableRow>
              </TableHead>
              <TableBody>
                {tableRows.length === 0 && (
                  <NoMatchRow
                    colSpan={headers.length}
                    what="clusters"
                    search={search}
                    lookedIn="every column"
                    onClear={() => filter('')}
                  />
                )}
                {tableRows.map((row) => {
                  const { key, ...props } = getRowProps({ row });
                  const cluster = byId.get(row.id);
                  return (
                    <TableRow key={key} {...props}>
                      {row.cells.map((cell) => (
                        <TableCell key={cell.id} data-label={headerOf(cell.info.header)}>
                          {(cluster && cellContent(cluster, cell.info.header)) ?? cell.value}
                        </TableCell>
                      ))}
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          </TableContainer>
        );
      }}
    </DataTable>
  );
}

/** Kubernetes clusters: sortable, searchable, with KMS and master status per row. */
export function ClustersTable({
  canConnect = false,
}: {
  /** Whether the user may connect a cluster (Administrator of every cluster of the account). */
  canConnect?: boolean;
}) {
  const clusters = useClusters();
  const { interrupted } = useClustersLive();
  const [connecting, setConnecting] = useState(false);
  const connectButton = canConnect && (
    <Button kind="primary" size="md" onClick={() => setConnecting(true)}>
      Connect cluster
    </Button>
  );
  const connectModal = connecting && <ConnectClusterModal onClose={() => setConnecting(false)} />;
  if (clusters.isPending)
    return (
      <DataTableSkeleton
        headers={headers}
        columnCount={headers.length}
        rowCount={3}
        showToolbar={false}
        aria-label="Loading clusters"
      />
    );
  if (clusters.isError) {
    return (
      <ErrorState
        title="Clusters could not be loaded"
        error={clusters.error}
        onRetry={() => void clusters.refetch()}
      />
    );
  }
  const interruption = interrupted && (
    <InlineNotification
      kind="warning"
      lowContrast
      hideCloseButton
      title="Live status is interrupted"
      subtitle="The console cannot reach the encryption engine. Master status below is what was last known; it updates by itself when the engine is back."
    />
  );
  if (clusters.data.length === 0) {
    return (
      <NoClusters>
        {connectButton}
        {connectModal}
      </NoClusters>
    );
  }
  return (
    <>
      {interruption}
      <ClustersDataTable clusters={clusters.data} toolbarAction={connectButton} />
      {connectModal}
    </>
  );
}
