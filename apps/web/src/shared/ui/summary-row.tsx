import { SkeletonText } from '@carbon/react';
import type { ReactNode } from 'react';

export interface SummaryRowProps {
  label: string;
  /** Shows a skeleton in the value cell while the row's data loads. */
  loading: boolean;
  /** The row's own failure: a quiet "Not available", never a blank section. */
  failed: boolean;
  children: ReactNode;
}

/**
 * One row of a Summary (label and value) that loads and fails on its own, so one failing row never
 * blanks the section (as openshift/console's OverviewDetailItem does).
 */
export function SummaryRow({ label, loading, failed, children }: SummaryRowProps) {
  return (
    <div className="kh-summary__row" role="row">
      <div role="rowheader" className="kh-summary__label">
        {label}
      </div>
      <div role="cell">
        {loading ? (
          <SkeletonText width="60%" />
        ) : failed ? (
          <span className="kh-muted">Not available</span>
        ) : (
          children
        )}
      </div>
    </div>
  );
}
