import { describe, expect, it } from 'vitest';
import { nextSort, parseSort, sortRows } from './use-url-sort.ts';

describe('a table sort kept in the URL', () => {
  const columns = ['name', 'versions'];
  it('reads ?sort= for known columns only', () => {
    expect(parseSort('name', columns)).toEqual({ column: 'name', descending: false });
    expect(parseSort('-versions', columns)).toEqual({ column: 'versions', descending: true });
    expect(parseSort('-secret', columns)).toBeNull();
    expect(parseSort('', columns)).toBeNull();
    expect(parseSort(null, columns)).toBeNull();
  });

  it('cycles ascending, descending, unsorted, as Carbon does', () => {
    expect(nextSort(null, 'name')).toBe('name');
    expect(nextSort({ column: 'name', descending: false }, 'name')).toBe('-name');
    expect(nextSort({ column: 'name', descending: true }, 'name')).toBe('');
    expect(nextSort({ column: 'name', descending: true }, 'versions')).toBe('versions');
  });

  it('sorts text as people read the numbers in it, and numbers as numbers', () => {
    const rows = [
      { name: 'key-10', versions: 2 },
      { name: 'Key-9', versions: 10 },
      { name: 'key-100', versions: 1 },
    ];
    const by = (r: (typeof rows)[number], c: string) => (c === 'name' ? r.name : r.versions);
    expect(sortRows(rows, { column: 'name', descending: false }, by).map((r) => r.name)).toEqual([
      'Key-9',
      'key-10',
      'key-100',
    ]);
    expect(
      sortRows(rows, { column: 'versions', descending: true }, by).map((r) => r.versions),
    ).toEqual([10, 2, 1]);
    expect(sortRows(rows, null, by)).toEqual(rows);
    expect(sortRows(rows, null, by)).not.toBe(rows);
  });
});
