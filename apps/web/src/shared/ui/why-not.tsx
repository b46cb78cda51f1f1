import type { PlatformRole } from '@keyhaven/contracts';

/** The reason a cluster action is disabled for want of a platform role. */
export const needsPlatformRole = (role: PlatformRole) =>
  `Needs the ${role} platform role on this cluster`;

/**
 * Why an action is disabled, said on the page beside it and tied to it with aria-describedby:
 * a native hover title reaches neither keyboard nor touch users. "Create secret needs the Editor
 * platform role on this cluster."
 */
export function WhyNot({ id, action, reason }: { id: string; action: string; reason: string }) {
  return (
    <p id={id} className="kh-muted kh-why-not">
      {action} {reason.charAt(0).toLowerCase() + reason.slice(1)}.
    </p>
  );
}
