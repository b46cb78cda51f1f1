import { useSearchParams } from 'react-router';

/** A column's sort as the URL keeps it: `?sort=name` ascending, `?sort=-name` descending. */
export interface ActiveSort {
  column: string;
  descending: boolean;
}

/** Reads `?sort=` against the table's sortable columns (anything else: unsorted). */
export function parseSort(raw: string | null, columns: readonly string[]): ActiveSort | null {
  if (!raw) return null;
  const descending = raw.startsWith('-');
  const column = descending ? raw.slice(1) : raw;
  return columns.includes(column) ? { column, descending } : null;
}

/** Carbon's cycle on a header click: ascending, descending, then back to unsorted. */
export function nextSort(active: ActiveSort | null, column: string): string {
  if (active?.column !== column) return column;
  return active.descending ? '' : `-${column}`;
}

/** Rows in the active sort's order (a copy), text compared as people read numbers in it. */
export function sortRows<T>(
  rows: readonly T[],
  active: ActiveSort | null,
  value: (row: T, column: string) => string | number,
): T[] {
  if (!active) return [...rows];
  const sign = active.descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    const x = value(a, active.column);
    const y = value(b, active.column);
    const order =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), 'en', { numeric: true, sensitivity: 'base' });
    return sign * order;
  });
}

/**
 * A table's sort kept in the URL (issue 30: a sorted list survives a reload and can be shared):
 * the props of each sortable Carbon TableHeader, and the rows sorted.
 */
export function useUrlSort(columns: readonly string[]) {
  const [params, setParams] = useSearchParams();
  const active = parseSort(params.get('sort'), columns);
  return {
    active,
    headerProps: (column: string) => ({
      isSortable: true,
      isSortHeader: active?.column === column,
      sortDirection: (active?.column === column ? (active.descending ? 'DESC' : 'ASC') : 'NONE') as
        'ASC' | 'DESC' | 'NONE',
      onClick: () =>
        setParams(
          (p) => {
            const next = nextSort(active, column);
            if (next) p.set('sort', next);
            else p.delete('sort');
            return p;
          },
          { replace: true },
        ),
    }),
    sorted: <T>(rows: readonly T[], value: (row: T, column: string) => string | number) =>
      sortRows(rows, active, value),
  };
}

export type UrlSort = ReturnType<typeof useUrlSort>;
