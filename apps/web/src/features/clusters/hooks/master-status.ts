import { isJobActive, type ClusterOverview, type StatusEvent } from '@keyhaven/contracts';

export interface LiveStatus {
  message: string;
  health: StatusEvent['masterHealth'];
  modifiedDate: string;
  progress: StatusEvent['progress'];
  revision: number;
}

/** The status the Overview shows: the newest of the loaded overview and the stream's events. */
export function liveStatusReducer(current: LiveStatus | undefined, event: StatusEvent): LiveStatus {
  if (current && event.revision < current.revision) return current;
  return {
    message: event.masterStatus,
    health: event.masterHealth,
    modifiedDate: event.modifiedDate,
    progress: event.progress,
    revision: event.revision,
  };
}

export function statusFromOverview(overview: ClusterOverview): LiveStatus {
  const { cluster } = overview;
  const running = isJobActive(cluster.enablement);
  return {
    message: cluster.masterStatus,
    health: cluster.masterHealth,
    modifiedDate: cluster.masterStatusModifiedDate,
    progress: running ? (cluster.enablement?.progress ?? null) : null,
    revision: 0,
  };
}

/**
 * What the Overview shows: the stream's status once it arrives, unless the loaded overview changed
 * later (a refetch right after Enable can beat the stream). Progress-only events keep their
 * status's date, so the stream wins a tie and its progress stays live.
 */
export function currentStatus(
  streamed: LiveStatus | undefined,
  loaded: LiveStatus | undefined,
): LiveStatus | undefined {
  if (!streamed || !loaded) return streamed ?? loaded;
  return Date.parse(loaded.modifiedDate) > Date.parse(streamed.modifiedDate) ? loaded : streamed;
}
