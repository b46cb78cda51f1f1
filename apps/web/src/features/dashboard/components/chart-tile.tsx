import { lazy, Suspense, useState } from 'react';
import {
  Button,
  SkeletonPlaceholder,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
  Tile,
} from '@carbon/react';
import { ChartBar, DataTable as TableIcon } from '@carbon/icons-react';
import { Link } from 'react-router';
import type { Bucket } from '../summaries.ts';

const FleetChart = lazy(() => import('./fleet-chart.tsx'));

/**
 * A chart with its table view: the chart for the eye, the table (each item a link to the list it
 * counts) for screen readers and for whoever would rather read: it is always there for
 * assistive technology, and shown on screen by the toggle.
 */
export function ChartTile({
  id,
  kind,
  title,
  group,
  unit,
  data,
}: {
  id: string;
  kind: 'donut' | 'bar';
  title: string;
  /** The table view's first column: what the buckets are (the chart's categories). */
  group: string;
  unit: string;
  data: Bucket[];
}) {
  const [asTable, setAsTable] = useState(false);
  const headingId = `${id}-title`;
  return (
    <Tile className="kh-chart-tile" aria-labelledby={headingId} role="region">
      <div className="kh-chart-tile__head">
        <h2 id={headingId} className="kh-tile-title">
          {title}
        </h2>
        <Button
          kind="ghost"
          size="sm"
          renderIcon={asTable ? ChartBar : TableIcon}
          aria-pressed={asTable}
          onClick={() => setAsTable(!asTable)}
        >
          {asTable ? 'Show as chart' : 'Show as table'}
        </Button>
      </div>
      {asTable ? (
        <Table size="sm" aria-label={`${title} (table view)`}>
          <TableHead>
            <TableRow>
              <TableHeader>{group}</TableHeader>
              <TableHeader>{unit}</TableHeader>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.map((b) => (
              <TableRow key={b.group}>
                <TableCell>
                  <Link className="cds--link" to={b.href}>
                    {b.group}
                  </Link>
                </TableCell>
                <TableCell>{b.value.toLocaleString('en-US')}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        // For screen readers while the chart is shown: plain, unscrolled, out of the tab order.
        <table className="cds--visually-hidden" aria-label={`${title} (table view)`}>
          <thead>
            <tr>
              <th>{group}</th>
              <th>{unit}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((b) => (
              <tr key={b.group}>
                <td>
                  <Link to={b.href} tabIndex={-1}>
                    {b.group}
                  </Link>
                </td>
                <td>{b.value.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!asTable && (
        // Inert: the chart's own controls stay out of the tab order and of assistive technology,
        // which read the table above instead.
        <div
          ref={(el) => el?.setAttribute('inert', '')}
          className="kh-chart"
          data-testid={`${id}-chart`}
        >
          <Suspense fallback={<SkeletonPlaceholder className="kh-chart-skeleton" />}>
            <FleetChart kind={kind} title={title} data={data} />
          </Suspense>
        </div>
      )}
    </Tile>
  );
}
