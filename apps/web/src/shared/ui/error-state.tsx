import { ActionableNotification, InlineNotification } from '@carbon/react';
import { useNavigate } from 'react-router';
import { ApiRequestError } from '../api/client.ts';

/** What a failed load means to the user, by the API's error code. */
const BY_CODE: Record<string, { kind: 'error' | 'warning'; hint?: string }> = {
  NETWORK: { kind: 'warning', hint: 'Check your connection; the page retries when it is back.' },
  ENGINE_UNAVAILABLE: { kind: 'warning', hint: 'Try again in a moment.' },
  ENGINE_TIMEOUT: { kind: 'warning', hint: 'Try again in a moment.' },
  TIMEOUT: { kind: 'warning', hint: 'The page tries again by itself.' },
  STORE_UNAVAILABLE: { kind: 'warning', hint: 'Nothing was changed. Try again in a moment.' },
  UNAUTHENTICATED: { kind: 'error' },
  FORBIDDEN: { kind: 'error', hint: 'Ask an administrator of the account for the role named.' },
};

const codeOf = (error: unknown) => (error instanceof ApiRequestError ? error.code : undefined);

/**
 * A load that failed, said in one place for every screen: the title names what could not be
 * loaded, the subtitle the server's message and what the user can do about its error code.
 */
export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: unknown;
  /** Offers "Try again" (the screen also retries by itself every few seconds). */
  onRetry?: () => void;
}) {
  const { kind, hint } = BY_CODE[codeOf(error) ?? ''] ?? { kind: 'error' as const };
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const navigate = useNavigate();
  // A session that ended is not retried: the way on is to log in again.
  const action =
    codeOf(error) === 'UNAUTHENTICATED'
      ? { label: 'Log in again', run: () => void navigate('/login') }
      : onRetry && { label: 'Try again', run: onRetry };
  if (action)
    return (
      <ActionableNotification
        inline
        kind={kind}
        lowContrast
        hideCloseButton
        hasFocus={false}
        title={title}
        subtitle={message}
        actionButtonLabel={action.label}
        onActionButtonClick={action.run}
      >
        {hint && <span className="kh-error-hint">{hint}</span>}
      </ActionableNotification>
    );
  return (
    <InlineNotification kind={kind} lowContrast hideCloseButton title={title} subtitle={message}>
      {hint && <span className="kh-error-hint">{hint}</span>}
    </InlineNotification>
  );
}
