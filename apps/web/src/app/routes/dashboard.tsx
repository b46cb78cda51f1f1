import { InlineNotification } from '@carbon/react';
import { useClusters } from '../../features/clusters/api/get-clusters.ts';
import { useClustersLive } from '../../features/clusters/hooks/use-clusters-live.ts';
import { useDashboard } from '../../features/dashboard/api/get-dashboard.ts';
import { FleetDashboard } from '../../features/dashboard/components/fleet-dashboard.tsx';
import { ErrorState } from '../../shared/ui/error-state.tsx';
import { useNow } from '../../shared/ui/use-now.ts';
import { DataTableSkeleton } from '@carbon/react';

/** The landing page: the fleet dashboard, its clusters' states kept live by the list's stream. */
export function DashboardRoute() {
  const clusters = useClusters();
  const { interrupted } = useClustersLive();
  const dashboard = useDashboard();
  const now = useNow(60_000);
  return (
    <>
      <h1 className="kh-page-title">Dashboard</h1>
      {interrupted && (
        <InlineNotification
          kind="warning"
          lowContrast
          hideCloseButton
          title="Live status is interrupted"
          subtitle="The console cannot reach the encryption engine. The states below are the last known."
        />
      )}
      {clusters.isError ? (
        <ErrorState
          title="The dashboard could not be loaded"
          error={clusters.error}
          onRetry={() => void clusters.refetch()}
        />
      ) : clusters.isPending ? (
        <DataTableSkeleton columnCount={3} rowCount={5} showHeader={false} aria-label="Dashboard" />
      ) : (
        <FleetDashboard clusters={clusters.data} dashboard={dashboard} now={new Date(now)} />
      )}
      {dashboard.isError && (
        <ErrorState
          title="Root keys and migrations could not be loaded"
          error={dashboard.error}
          onRetry={() => void dashboard.refetch()}
        />
      )}
    </>
  );
}
