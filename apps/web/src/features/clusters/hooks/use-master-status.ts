import { useEffect, useReducer, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { StatusEvent, type ClusterOverview } from '@keyhaven/contracts';
import { followStatusStream } from '../../../shared/api/event-stream.ts';
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
 * on every (re)open the overview is refetched so that nothing missed is lost. `interrupted` says
 * that the stream is cut (the status shown is then the last one known).
 */
export function useMasterStatus(
  clusterId: string,
  overview: ClusterOverview | undefined,
): { status: LiveStatus | undefined; interrupted: boolean } {
  const queryClient = useQueryClient();
  const [interrupted, setInterrupted] = useState(false);
  const [streamed, dispatch] = useReducer(
    (state: LiveStatus | undefined, arrived: { event: StatusEvent; at: number } | null) =>
      arrived ? liveStatusReducer(state, arrived.event, arrived.at) : undefined,
    undefined,
  );
  useEffect(() => {
    let enabled: boolean | undefined;
    let cut = false;
    const refetchOverview = () =>
      void queryClient.invalidateQueries({
        queryKey: clusterOverviewQueryOptions(clusterId).queryKey,
      });
    const stop = followStatusStream(`/api/clusters/${encodeURIComponent(clusterId)}/events`, {
      onStatus: (data) => {
        const parsed = StatusEvent.safeParse(JSON.parse(data));
        if (!parsed.success) return;
        dispatch({ event: parsed.data, at: Date.now() });
        setInterrupted(false);
        const finished = parsed.data.progress === null;
        const changed =
          enabled !== undefined && (enabled !== parsed.data.keyProtectEnabled || finished);
        if (changed || cut) {
          refetchOverview();
          void queryClient.invalidateQueries({
            queryKey: clustersQueryOptions().queryKey,
            exact: true,
          });
        }
        cut = false;
        enabled = parsed.data.keyProtectEnabled;
      },
      onOpen: () => {
        setInterrupted(false);
        refetchOverview();
      },
      onInterrupted: () => {
        cut = true;
        setInterrupted(true);
      },
    });
    return () => {
      stop();
      dispatch(null);
    };
  }, [clusterId, queryClient]);
  return {
    status: currentStatus(streamed, overview && statusFromOverview(overview)),
    interrupted,
  };
}
