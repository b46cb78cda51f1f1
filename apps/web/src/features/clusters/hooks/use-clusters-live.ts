import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { StatusEvent, type ClusterRow } from '@keyhaven/contracts';
import { followStatusStream } from '../../../shared/api/event-stream.ts';
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
    const inProgress = new Map<string, boolean>();
    let cut = false;
    const refetch = () => void queryClient.invalidateQueries({ queryKey, exact: true });
    return followStatusStream('/api/clusters/events', {
      onStatus: (data) => {
        const parsed = StatusEvent.safeParse(JSON.parse(data));
        if (!parsed.success) return;
        const event = parsed.data;
        let changed = cut;
        cut = false;
        setInterrupted(false);
        queryClient.setQueryData<ClusterRow[]>(queryKey, (rows) =>
          rows?.map((row) => {
            if (row.id !== event.clusterId) return row;
            const finished = inProgress.get(row.id) === true && event.progress === null;
            changed ||= finished || row.kmsEnabled !== event.keyProtectEnabled;
            return {
              ...row,
              masterStatus: event.masterStatus,
              masterHealth: event.masterHealth,
              kmsEnabled: event.keyProtectEnabled,
            };
          }),
        );
        inProgress.set(event.clusterId, event.progress !== null);
        if (changed) refetch();
      },
      onOpen: () => {
        setInterrupted(false);
        refetch();
      },
      onInterrupted: () => {
        cut = true;
        setInterrupted(true);
      },
    });
  }, [queryClient]);
  return { interrupted };
}
