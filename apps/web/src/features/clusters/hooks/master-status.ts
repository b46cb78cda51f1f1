import { isJobActive, type ClusterOverview, type StatusEvent } from '@keyhaven/contracts';
import type { ProgressSample } from './job-rate.ts';

export interface LiveStatus {
  message: string;
  health: StatusEvent['masterHealth'];
  modifiedDate: string;
  progress: StatusEvent['progress'];
  revision: number;
  /** The running job's first and latest progress seen here, for its rate and time left. */
  job?: { total: number; first: ProgressSample; latest: ProgressSample } | undefined;
}

/**
 * The status the Overview shows: the newest of the loaded overview and the stream's events. `at`
 * is when the event arrived: progress events of one job (same total, never going back) keep the
 * job's first sample, so that its rate is measured over the whole time this page saw it.
 */
export function liveStatusReducer(
  current: LiveStatus | undefined,
  event: StatusEvent,
  at: number,
): LiveStatus {
  if (current && event.revision < current.revision) return current;
  const progress = event.progress;
  const sample = progress && { at, done: progress.done };
  const job =
    progress && sample
      ? current?.job &&
        current.job.total === progress.total &&
        current.job.first.done <= progress.done
        ? { ...current.job, latest: sample }
        : { total: progress.total, first: sample, latest: sample }
      : undefined;
  return {
    message: event.masterStatus,
    health: event.masterHealth,
    modifiedDate: event.modifiedDate,
    progress,
    revision: event.revision,
    job,
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
