import {
  DonutChart,
  SimpleBarChart,
  ScaleTypes,
  type ChartTabularData,
} from '@carbon/charts-react';
import '@carbon/charts-react/styles.css';
import type { Bucket } from '../summaries.ts';

const STATE_COLOURS: Record<string, string> = {
  'KMS enabled': '#24a148',
  'Not enabled': '#8d8d8d',
  'In progress': '#0f62fe',
  Warning: '#f1c21b',
  Critical: '#da1e28',
};

/** The console's theme, as the theme switch keeps it, for the charts' colours. */
const chartTheme = () =>
  (localStorage.getItem('keyhaven.theme') === 'g100' ? 'g100' : 'white') as never;

/**
 * One of the dashboard's charts, Carbon's own (loaded with this module only, so the first page
 * stays small). Its table view, with a link per item, is the dashboard's, beside it.
 */
export default function FleetChart({
  kind,
  title,
  data,
}: {
  kind: 'donut' | 'bar';
  title: string;
  data: Bucket[];
}) {
  const tabular: ChartTabularData = data.map(({ group, value }) => ({ group, value }));
  const common = {
    // The tile's heading names the chart; the chart repeats no title of its own.
    title: '',
    accessibility: { svgAriaLabel: title },
    height: '260px',
    resizable: true,
    theme: chartTheme(),
    toolbar: { enabled: false },
    animations: false,
    legend: { alignment: 'center' as never },
  };
  if (kind === 'donut')
    return (
      <DonutChart
        data={tabular}
        options={{
          ...common,
          donut: { center: { label: 'Clusters' }, alignment: 'center' as never },
          // Carbon's status colours: the states read the same as Master status does.
          color: { scale: STATE_COLOURS },
        }}
      />
    );
  return (
    <SimpleBarChart
      data={tabular}
      options={{
        ...common,
        legend: { enabled: false },
        color: { scale: Object.fromEntries(data.map((b) => [b.group, '#0f62fe'])) },
        axes: {
          left: {
            mapsTo: 'value',
            title: 'Root keys',
            ticks: { formatter: (t: unknown) => String(t) },
          },
          bottom: { mapsTo: 'group', scaleType: ScaleTypes.LABELS },
        },
      }}
    />
  );
}
