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

/**
 * What a key change did to a cluster that uses it is no success of the cluster's: the entry
 * "Root key … was disabled: secrets cannot be read" is a warning there (issue 30's walk).
 */
const BREAKS_CLUSTER = new Set(['key.disable', 'key.delete', 'key.expire', 'authorization.delete']);

function ResultTag({ entry }: { entry: ActivityEntry }) {
  if (entry.result === 'failure') return <Tag type="red">Failed</Tag>;
  if (entry.target.kind === 'cluster' && BREAKS_CLUSTER.has(entry.action))
    return <Tag type="magenta">Warning</Tag>;
  return <Tag type="green">Succeeded</Tag>;
}

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
              <TableCell data-label="Time" className="kh-nowrap">
                <Timestamp iso={entry.at} />
              </TableCell>
              <TableCell data-label="Who">{entry.actor}</TableCell>
              <TableCell data-label="What" className="kh-wrap-anywhere">
                {entry.message}
              </TableCell>
              <TableCell data-label="Result">
                <ResultTag entry={entry} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
