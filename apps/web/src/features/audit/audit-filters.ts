import type { AuditFilters } from './api/get-audit-events.ts';

/** The filters a URL carries (so that a filtered log can be shared and reloaded). */
export function filtersFromSearch(search: URLSearchParams): AuditFilters {
  const get = (name: string) => search.get(name)?.trim() || undefined;
  const kind = get('targetKind');
  return {
    actor: get('actor'),
    action: get('action'),
    targetKind:
      kind === 'cluster' || kind === 'key' || kind === 'instance' || kind === 'account'
        ? kind
        : undefined,
    targetId: get('targetId'),
    from: get('from'),
    to: get('to'),
  };
}

/** Filters as URL search parameters, leaving out the empty ones. */
export function searchFromFilters(filters: AuditFilters): URLSearchParams {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) search.set(name, value);
  return search;
}

/** A day picked in the form ("2026-12-07") as the first or the last instant of it, local time. */
export function dayBound(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const at = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** The day (local) an instant falls on, for the form's date fields. */
export function dayOf(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** What each action family is called in the "What" filter. */
export const ACTION_GROUPS: { value: string; label: string }[] = [
  { value: '', label: 'Any action' },
  { value: 'kms', label: 'KMS enable, update, rotate, progress' },
  { value: 'key', label: 'Root keys' },
  { value: 'key.disable', label: 'Root key disabled' },
  { value: 'key.delete', label: 'Root key deleted' },
  { value: 'cluster', label: 'Cluster connections and KMS plug-ins' },
  { value: 'authorization', label: 'Service authorizations' },
  { value: 'account', label: 'Users and access' },
  { value: 'instance', label: 'KMS instance policies' },
  { value: 'secret', label: 'Secrets' },
];

/** The JSON-lines file an export downloads. */
export function exportFileName(now: Date): string {
  return `keyhaven-audit-${now.toISOString().replace(/[:.]/g, '-')}.jsonl`;
}
