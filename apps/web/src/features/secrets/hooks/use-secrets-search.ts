import { useEffect, useState } from 'react';
import { PAGE_SIZES, type SecretsPageQuery } from '../api/get-secrets.ts';

/** Typing settles for this long before the server is asked (one search per pause, not per key). */
const SEARCH_DELAY_MS = 50;

/**
 * What the Secrets table asks the server for: the search as typed (sent once typing settles),
 * the page and the page size. A new search or page size starts again at page 1.
 */
export function useSecretsSearch() {
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(PAGE_SIZES[1] ?? 50);
  useEffect(() => {
    const settle = setTimeout(() => {
      setSearch(typed.trim());
      setPage(1);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(settle);
  }, [typed]);
  const query: SecretsPageQuery = { search, offset: (page - 1) * pageSize, limit: pageSize };
  return {
    typed,
    search,
    page,
    pageSize,
    query,
    type: setTyped,
    /** Shows exactly this search at once (no wait), from page 1. */
    show: (text: string) => {
      setTyped(text);
      setSearch(text);
      setPage(1);
    },
    turn: (next: { page: number; pageSize: number }) => {
      setPage(next.pageSize === pageSize ? next.page : 1);
      setPageSize(next.pageSize);
    },
  };
}
