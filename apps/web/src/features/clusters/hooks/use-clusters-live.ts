import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { StatusEvent, type ClusterRow } from '@keyhaven/contracts';
import { clustersQueryOptions } from '../api/get-clusters.ts';

/**
 * Keeps the clusters list live from one event stream for the whole list: each status change
 * updates its row at once; a finished job or a change of KMS refetches the list (which names the
 * instance and key), and so does every (re)connection, so nothing missed is lost. Returns whether
 * the stream is interrupted (the engine or the BFF cannot be reached): the rows then show what was
 * last known.
 */
export function useClustersLive(): { interrupted: boolean } {
  const queryClient = useQueryClient();
  const [interrupted, setInterrupted] = useState(false);
  useEffect(() => {
    const { queryKey } = clustersQueryOptions();
    const source = new EventSource('/api/clusters/events');
    const inProgress = new Map<string, boolean>();
    source.addEventListener('status', (message) => {
      const parsed = StatusEvent.safeParse(JSON.parse((message as MessageEvent<string>).data));
      if (!parsed.success) return;
      const event = parsed.data;
      let refetch = false;
      queryClient.setQueryData<ClusterRow[]>(queryKey, (rows) =>
        rows?.map((row) => {
          if (row.id !== event.clusterId) return row;
          const finished = inProgress.get(row.id) === true && event.progress === null;
          refetch ||= finished || row.kmsEnabled !== event.keyProtectEnabled;
          return {
            ...row,
            masterStatus: event.masterStatus,
            masterHealth: event.masterHealth,
            kmsEnabled: event.keyProtectEnabled,
          };
        }),
      );
      inProgress.set(event.clusterId, event.progress !== null);
      if (refetch) void queryClient.invalidateQueries({ queryKey, exact: true });
    });
    source.addEventListener('open', () => {
      setInterrupted(false);
      void queryClient.invalidateQueries({ queryKey, exact: true });
    });
    source.addEventListener('error', () => setInterrupted(true));
    return () => source.close();
  }, [queryClient]);
  return { interrupted };
}
