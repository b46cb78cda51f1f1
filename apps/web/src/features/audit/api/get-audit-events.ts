import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { AuditPage, type AuditQuery } from '@keyhaven/contracts';
import { apiRequest } from '../../../shared/api/client.ts';
import { queryKeys } from '../../../shared/api/query-keys.ts';

/** The audit log's filters as the URL and the API carry them (no paging fields). */
export type AuditFilters = Partial<
  Pick<AuditQuery, 'actor' | 'action' | 'targetKind' | 'targetId' | 'from' | 'to'>
>;

/** The console API's address of one page of the audit log. */
export function auditPath(filters: AuditFilters, page: { limit: number; after?: string }): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...filters, ...page }))
    if (value !== undefined && value !== '') search.set(name, String(value));
  return `/api/audit/events?${search.toString()}`;
}

export const PAGE_SIZE = 50;

export const auditQueryOptions = (filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: queryKeys.audit(filters),
    queryFn: ({ pageParam, signal }) =>
      apiRequest(AuditPage, auditPath(filters, { limit: PAGE_SIZE, after: pageParam }), {
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  });

export const useAuditEvents = (filters: AuditFilters) =>
  useInfiniteQuery(auditQueryOptions(filters));

/** Most entries one export takes (the engine pages them 500 at a time). */
export const EXPORT_LIMIT = 50_000;

/** Every entry that passes the filters, newest first, up to EXPORT_LIMIT; `more` when cut. */
export async function fetchAllAuditEvents(filters: AuditFilters, signal?: AbortSignal) {
  const entries: AuditPage['entries'] = [];
  let after: string | undefined;
  do {
    const page = await apiRequest(AuditPage, auditPath(filters, { limit: 500, after }), { signal });
    entries.push(...page.entries);
    after = page.next ?? undefined;
  } while (after && entries.length < EXPORT_LIMIT);
  return { entries: entries.slice(0, EXPORT_LIMIT), more: after !== undefined };
}
