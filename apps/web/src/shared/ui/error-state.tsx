import { ActionableNotification, InlineNotification } from '@carbon/react';
import { ApiRequestError } from '../api/client.ts';

/** What a failed load means to the user, by the API's error code. */
const BY_CODE: Record<string, { kind: 'error' | 'warning'; hint?: string }> = {
  NETWORK: { kind: 'warning', hint: 'Check your connection; the page retries when it is back.' },
  ENGINE_UNAVAILABLE: { kind: 'warning', hint: 'Try again in a moment.' },
  ENGINE_TIMEOUT: { kind: 'warning', hint: 'Try again in a moment.' },
  TIMEOUT: { kind: 'warning', hint: 'The page tries again by itself.' },
  STORE_UNAVAILABLE: { kind: 'warning', hint: 'Nothing was changed. Try again in a moment.' },
  UNAUTHENTICATED: { kind: 'error', hint: 'Log in again to continue.' },
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
  if (onRetry)
    return (
      <ActionableNotification
        inline
        kind={kind}
        lowContrast
        hideCloseButton
        hasFocus={false}
        title={title}
        subtitle={message}
        actionButtonLabel="Try again"
        onActionButtonClick={onRetry}
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
