import { CheckmarkFilled, ErrorFilled, InProgress, WarningAltFilled } from '@carbon/icons-react';
import type { ReactNode } from 'react';
import type { MasterHealth } from '@keyhaven/contracts';

const icons = {
  normal: CheckmarkFilled,
  in_progress: InProgress,
  warning: WarningAltFilled,
  critical: ErrorFilled,
} as const;
const names: Record<MasterHealth, string> = {
  normal: 'Normal',
  in_progress: 'In progress',
  warning: 'Warning',
  critical: 'Critical',
};

/** Master status with icon, colour and text together (Carbon status pattern). */
export function MasterStatusText({
  health,
  message,
}: {
  health: MasterHealth;
  message: ReactNode;
}) {
  const Icon = icons[health];
  return (
    <span className={`kh-status kh-status--${health}`}>
      <Icon aria-label={names[health]} role="img" />
      <span>{message}</span>
    </span>
  );
}
