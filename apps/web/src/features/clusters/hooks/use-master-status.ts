import { useEffect, useReducer } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { StatusEvent, type ClusterOverview } from '@keyhaven/contracts';
import { clusterOverviewQueryOptions } from '../api/get-cluster-overview.ts';
import { clustersQueryOptions } from '../api/get-clusters.ts';
import {
  currentStatus,
  liveStatusReducer,
  statusFromOverview,
  type LiveStatus,
} from './master-status.ts';

/**
 * Live master status from the BFF's event stream. EventSource reconnects by itself after a drop;
 * on every (re)open the overview is refetched so that nothing missed is lost.
 */
export function useMasterStatus(
  clusterId: string,
  overview: ClusterOverview | undefined,
): LiveStatus | undefined {
  const queryClient = useQueryClient();
  const [streamed, dispatch] = useReducer(
    (state: LiveStatus | undefined, event: StatusEvent | null) =>
      event ? liveStatusReducer(state, event) : undefined,
    undefined,
  );
  useEffect(() => {
    const source = new EventSource(`/api/clusters/${encodeURIComponent(clusterId)}/events`);
    let enabled: boolean | undefined;
    source.addEventListener('status', (message) => {
      const parsed = StatusEvent.safeParse(JSON.parse((message as MessageEvent<string>).data));
      if (!parsed.success) return;
      dispatch(parsed.data);
      const finished = parsed.data.progress === null;
      if (enabled !== undefined && (enabled !== parsed.data.keyProtectEnabled || finished)) {
        void queryClient.invalidateQueries({
          queryKey: clusterOverviewQueryOptions(clusterId).queryKey,
        });
        void queryClient.invalidateQueries({
          queryKey: clustersQueryOptions().queryKey,
          exact: true,
        });
      }
      enabled = parsed.data.keyProtectEnabled;
    });
    source.addEventListener('open', () => {
      void queryClient.invalidateQueries({
        queryKey: clusterOverviewQueryOptions(clusterId).queryKey,
      });
    });
    return () => {
      source.close();
      dispatch(null);
    };
  }, [clusterId, queryClient]);
  return currentStatus(streamed, overview && statusFromOverview(overview));
}
