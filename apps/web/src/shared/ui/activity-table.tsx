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
import type { UseQueryResult } from '@tanstack/react-query';
import type { ActivityEntry } from '@keyhaven/contracts';
import { ErrorState } from './error-state.tsx';
import { Timestamp } from './time.tsx';

export interface ActivityTableProps {
  activity: UseQueryResult<ActivityEntry[]>;
  /** What the table says when nothing happened yet. */
  empty: string;
}

/** Actions and status changes (of a cluster or a root key), newest first. */
export function ActivityTable({ activity, empty }: ActivityTableProps) {
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
              <TableCell colSpan={4}>{empty}</TableCell>
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
