import { useState, type FormEvent } from 'react';
import {
  Button,
  DataTableSkeleton,
  Select,
  SelectItem,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  Tag,
  TextInput,
} from '@carbon/react';
import { Download } from '@carbon/icons-react';
import { Link, useSearchParams } from 'react-router';
import { toCadf, type ActivityEntry } from '@keyhaven/contracts';
import { ErrorState } from '../../../shared/ui/error-state.tsx';
import { Timestamp } from '../../../shared/ui/time.tsx';
import { useToast } from '../../../shared/ui/toasts.tsx';
import { fetchAllAuditEvents, useAuditEvents, type AuditFilters } from '../api/get-audit-events.ts';
import {
  ACTION_GROUPS,
  dayBound,
  dayOf,
  exportFileName,
  filtersFromSearch,
  searchFromFilters,
} from '../audit-filters.ts';

const KINDS = [
  { value: '', label: 'Any resource' },
  { value: 'cluster', label: 'Cluster' },
  { value: 'key', label: 'Root key' },
  { value: 'instance', label: 'KMS instance' },
  { value: 'account', label: 'Account' },
];

function Resource({ entry }: { entry: ActivityEntry }) {
  const { kind, id } = entry.target;
  const label = KINDS.find((k) => k.value === kind)?.label ?? kind;
  return (
    <>
      <span className="kh-muted">{label} </span>
      {kind === 'cluster' ? (
        <Link className="cds--link" to={`/clusters/${encodeURIComponent(id)}`}>
          {id}
        </Link>
      ) : (
        <code className="kh-wrap-anywhere">{id}</code>
      )}
    </>
  );
}

function Outcome({ entry }: { entry: ActivityEntry }) {
  const severity = toCadf(entry).severity;
  if (entry.result === 'failure') return <Tag type="red">Failed</Tag>;
  if (severity === 'critical') return <Tag type="red">Critical</Tag>;
  if (severity === 'warning') return <Tag type="magenta">Warning</Tag>;
  return <Tag type="green">Succeeded</Tag>;
}

/** The form of the audit log's filters; applied to the URL on submit. */
function FilterForm({
  filters,
  onApply,
}: {
  filters: AuditFilters;
  onApply: (f: AuditFilters) => void;
}) {
  const [actor, setActor] = useState(filters.actor ?? '');
  const [action, setAction] = useState(filters.action ?? '');
  const [kind, setKind] = useState(filters.targetKind ?? '');
  const [targetId, setTargetId] = useState(filters.targetId ?? '');
  const [from, setFrom] = useState(dayOf(filters.from));
  const [to, setTo] = useState(dayOf(filters.to));
  const badRange = from !== '' && to !== '' && from > to;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (badRange) return;
    onApply({
      actor: actor.trim() || undefined,
      action: action || undefined,
      targetKind: (kind || undefined) as AuditFilters['targetKind'],
      targetId: targetId.trim() || undefined,
      from: dayBound(from, false),
      to: dayBound(to, true),
    });
  };
  return (
    <form className="kh-audit-filters" onSubmit={submit} aria-label="Filter the audit log">
      <TextInput
        id="audit-actor"
        labelText="Who"
        helperText="A username, or system"
        value={actor}
        maxLength={128}
        onChange={(e) => setActor(e.target.value)}
      />
      <Select
        id="audit-action"
        labelText="What"
        value={action}
        onChange={(e) => setAction(e.target.value)}
      >
        {ACTION_GROUPS.map((g) => (
          <SelectItem key={g.value} value={g.value} text={g.label} />
        ))}
      </Select>
      <Select
        id="audit-kind"
        labelText="Resource type"
        value={kind}
        onChange={(e) => setKind(e.target.value)}
      >
        {KINDS.map((k) => (
          <SelectItem key={k.value} value={k.value} text={k.label} />
        ))}
      </Select>
      <TextInput
        id="audit-target"
        labelText="Resource ID"
        helperText="Such as c-dev-us-east"
        value={targetId}
        maxLength={128}
        onChange={(e) => setTargetId(e.target.value)}
      />
      <TextInput
        id="audit-from"
        type="date"
        labelText="From"
        value={from}
        onChange={(e) => setFrom(e.target.value)}
      />
      <TextInput
        id="audit-to"
        type="date"
        labelText="To"
        value={to}
        invalid={badRange}
        invalidText="The end is before the start."
        onChange={(e) => setTo(e.target.value)}
      />
      <div className="kh-audit-filters__actions">
        <Button type="submit" size="md">
          Apply filters
        </Button>
        <Button
          kind="ghost"
          size="md"
          onClick={() => {
            setActor('');
            setAction('');
            setKind('');
            setTargetId('');
            setFrom('');
            setTo('');
            onApply({});
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}

/** Saves text as a file in the browser's downloads. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * The account's audit log: every change by every user and service, newest first, filtered by
 * who, what, resource and time (kept in the URL), paged, and exported as CADF-like JSON lines.
 */
export function AuditLog() {
  const [search, setSearch] = useSearchParams();
  const filters = filtersFromSearch(search);
  const events = useAuditEvents(filters);
  const toast = useToast();
  const [exporting, setExporting] = useState(false);
  const entries = events.data?.pages.flatMap((p) => p.entries) ?? [];
  const exportAll = async () => {
    setExporting(true);
    try {
      const { entries: all, more } = await fetchAllAuditEvents(filters);
      download(
        exportFileName(new Date()),
        all.map((e) => JSON.stringify(toCadf(e)) + '\n').join(''),
      );
      toast({
        kind: more ? 'warning' : 'success',
        title: `Exported ${all.length.toLocaleString('en-US')} events`,
        subtitle: more
          ? 'The export stops at 50,000 events: narrow the time range for the rest.'
          : 'As JSON lines, one CADF-like event per line.',
      });
    } catch (err) {
      toast({
        kind: 'error',
        title: 'The export failed',
        subtitle: err instanceof Error ? err.message : String(err),
      });
    } finally {
      setExporting(false);
    }
  };
  return (
    <>
      <FilterForm
        key={search.toString()}
        filters={filters}
        onApply={(f) => setSearch(searchFromFilters(f))}
      />
      {events.isError ? (
        <ErrorState
          title="The audit log could not be loaded"
          error={events.error}
          onRetry={() => void events.refetch()}
        />
      ) : events.isPending ? (
        <DataTableSkeleton columnCount={5} rowCount={8} showHeader={false} aria-label="Audit log" />
      ) : (
        <TableContainer
          title="Events"
          description={`${entries.length.toLocaleString('en-US')} shown${events.hasNextPage ? ', more below' : ''}, newest first.`}
        >
          <TableToolbar aria-label="Audit log tools">
            <TableToolbarContent>
              <Button
                kind="secondary"
                size="md"
                renderIcon={Download}
                disabled={exporting}
                onClick={() => void exportAll()}
              >
                {exporting ? 'Exporting…' : 'Export JSON lines'}
              </Button>
            </TableToolbarContent>
          </TableToolbar>
          <Table aria-label="Audit log" size="md">
            <TableHead>
              <TableRow>
                <TableHeader>Time</TableHeader>
                <TableHeader>Who</TableHeader>
                <TableHeader>What</TableHeader>
                <TableHeader>Resource</TableHeader>
                <TableHeader>Result</TableHeader>
              </TableRow>
            </TableHead>
            <TableBody>
              {entries.length === 0 && (
                <TableRow>
                  <TableCell colSpan={5}>No event matches these filters.</TableCell>
                </TableRow>
              )}
              {entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell data-label="Time" className="kh-nowrap">
                    <Timestamp iso={entry.at} />
                  </TableCell>
                  <TableCell data-label="Who">{entry.actor}</TableCell>
                  <TableCell data-label="What" className="kh-wrap-anywhere">
                    <code>{entry.action}</code>
                    <br />
                    {entry.message}
                  </TableCell>
                  <TableCell data-label="Resource">
                    <Resource entry={entry} />
                  </TableCell>
                  <TableCell data-label="Result">
                    <Outcome entry={entry} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {events.hasNextPage && (
            <Button
              kind="ghost"
              className="kh-load-more"
              disabled={events.isFetchingNextPage}
              onClick={() => void events.fetchNextPage()}
            >
              {events.isFetchingNextPage ? 'Loading…' : 'Show older events'}
            </Button>
          )}
        </TableContainer>
      )}
    </>
  );
}
