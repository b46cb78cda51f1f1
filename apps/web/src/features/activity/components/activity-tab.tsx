import {
  DataTableSkeleton,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  Tag,
} from '@carbon/react';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { Timestamp } from '../../../shared/ui/time.tsx';
import { useClusterActivity } from '../api/get-cluster-activity.ts';

/** The cluster's actions and status changes, newest first. */
export function ActivityTab({ clusterId }: { clusterId: string }) {
  const activity = useClusterActivity(clusterId);
  if (activity.isError)
    return (
      <ErrorState
        title="Activity could not be loaded"
        error={activity.error}
        onRetry={() => void activity.refetch()}
      />
    );
  if (activity.isPending)
    return (
      <DataTableSkeleton columnCount={4} rowCount={5} showHeader={false} aria-label="Activity" />
    );
  return (
    <TableContainer title="Activity" description="Actions and status changes, newest first.">
      <Table aria-label="Activity" size="md">
        <TableHead>
          <TableRow>
            <TableHeader>Time</TableHeader>
            <TableHeader>Who</TableHeader>
            <TableHeader>What</TableHeader>
            <TableHeader>Result</TableHeader>
          </TableRow>
        </TableHead>
        <TableBody>
          {activity.data.length === 0 && (
            <TableRow>
              <TableCell colSpan={4}>Nothing has happened on this cluster yet.</TableCell>
            </TableRow>
          )}
          {activity.data.map((entry) => (
            <TableRow key={entry.id}>
              <TableCell className="kh-nowrap">
                <Timestamp iso={entry.at} />
              </TableCell>
              <TableCell>{entry.actor}</TableCell>
              <TableCell className="kh-wrap-anywhere">{entry.message}</TableCell>
              <TableCell>
                {entry.result === 'success' ? (
                  <Tag type="green">Succeeded</Tag>
                ) : (
                  <Tag type="red">Failed</Tag>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
