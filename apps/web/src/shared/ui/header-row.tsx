import { TableHeader, TableHead, TableRow } from '@carbon/react';
import type { UrlSort } from './use-url-sort.ts';

/**
 * A table's header row; an empty header is the row actions' column, named for screen readers.
 * With `sort`, a header whose `sortKeys` entry is set sorts the table by that column.
 */
export function HeaderRow({
  headers,
  sortKeys,
  sort,
}: {
  headers: string[];
  sortKeys?: (string | undefined)[];
  sort?: UrlSort;
}) {
  return (
    <TableHead>
      <TableRow>
        {headers.map((h, i) => {
          const key = sortKeys?.[i];
          return (
            <TableHeader key={i} {...(sort && key ? sort.headerProps(key) : {})}>
              {h || <span className="cds--visually-hidden">Actions</span>}
            </TableHeader>
          );
        })}
      </TableRow>
    </TableHead>
  );
}
