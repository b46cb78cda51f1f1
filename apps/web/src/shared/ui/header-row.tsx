import { TableHeader, TableHead, TableRow } from '@carbon/react';

/** A table's header row; an empty header is the row actions' column, named for screen readers. */
export function HeaderRow({ headers }: { headers: string[] }) {
  return (
    <TableHead>
      <TableRow>
        {headers.map((h, i) => (
          <TableHeader key={i}>
            {h || <span className="cds--visually-hidden">Actions</span>}
          </TableHeader>
        ))}
      </TableRow>
    </TableHead>
  );
}
