import { Button, TableCell, TableRow } from '@carbon/react';

/** A table's empty state when its search matches nothing (Carbon's empty-state pattern). */
export function NoMatchRow({
  colSpan,
  what,
  search,
  lookedIn,
  onClear,
}: {
  colSpan: number;
  /** What the table lists, plural: "secrets". */
  what: string;
  search: string;
  /** Where the search looks: "namespaces and names". */
  lookedIn: string;
  onClear: () => void;
}) {
  return (
    <TableRow>
      <TableCell colSpan={colSpan}>
        <div className="kh-empty">
          <h3>
            No {what} match “{search}”
          </h3>
          <p>Search looks in {lookedIn}. Check the spelling, or</p>
          <Button kind="ghost" size="sm" onClick={onClear}>
            Clear the search
          </Button>
        </div>
      </TableCell>
    </TableRow>
  );
}
