import { useEffect, useRef } from 'react';
import { ErrorState } from './error-state.tsx';

/**
 * A form's failure, where the eye is: at the top of the dialog, scrolled into view and focused
 * when it appears, so that a long form never seems to do nothing (issue 30's walk).
 */
export function FormError({ title, error }: { title: string; error: unknown }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!error) return;
    ref.current?.scrollIntoView?.({ block: 'nearest' });
    ref.current?.focus({ preventScroll: true });
  }, [error]);
  if (!error) return null;
  return (
    <div ref={ref} tabIndex={-1} className="kh-form-error">
      <ErrorState title={title} error={error} />
    </div>
  );
}
