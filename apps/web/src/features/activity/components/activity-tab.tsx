import { ActivityTable } from '../../../shared/ui/activity-table.tsx';
import { useClusterActivity } from '../api/get-cluster-activity.ts';

/** The cluster's actions and status changes, newest first. */
export function ActivityTab({ clusterId }: { clusterId: string }) {
  return (
    <ActivityTable
      activity={useClusterActivity(clusterId)}
      empty="Nothing has happened on this cluster yet."
    />
  );
}
