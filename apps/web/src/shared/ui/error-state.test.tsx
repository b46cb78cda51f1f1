import type { ReactElement } from 'react';
import { render as renderPlain, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { ApiRequestError } from '../api/client.ts';
import { ErrorState } from './error-state.tsx';
import { SummaryRow } from './summary-row.tsx';

const render = (ui: ReactElement) =>
  renderPlain(
    <MemoryRouter>
      <Routes>
        <Route path="/" element={ui} />
        <Route path="/login" element={<p>the login page</p>} />
      </Routes>
    </MemoryRouter>,
  );

describe('ErrorState', () => {
  it('offers Try again when the screen can retry, and Log in again when the session ended', async () => {
    const onRetry = vi.fn();
    const { unmount } = render(
      <ErrorState
        title="Secrets could not be loaded"
        error={new ApiRequestError(503, 'ENGINE_UNAVAILABLE', 'The engine is not answering.')}
        onRetry={onRetry}
      />,
    );
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(onRetry).toHaveBeenCalledOnce();
    unmount();
    render(
      <ErrorState
        title="Secrets could not be loaded"
        error={new ApiRequestError(401, 'UNAUTHENTICATED', 'Your session has ended. Log in again.')}
        onRetry={onRetry}
      />,
    );
    expect(screen.queryByRole('button', { name: 'Try again' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Log in again' }));
    expect(screen.getByText('the login page')).toBeVisible();
  });

  it('says what failed, the server message, and what to do for a retryable code', () => {
    render(
      <ErrorState
        title="Secrets could not be loaded"
        error={
          new ApiRequestError(503, 'ENGINE_UNAVAILABLE', 'The Keyhaven engine is unavailable.')
        }
      />,
    );
    const note = screen.getByRole('status');
    expect(note).toHaveClass('cds--inline-notification--warning');
    expect(note).toHaveTextContent('Secrets could not be loaded');
    expect(note).toHaveTextContent('The Keyhaven engine is unavailable.');
    expect(note).toHaveTextContent('Try again in a moment.');
  });

  it('is an error with no hint for a code it does not know', () => {
    render(
      <ErrorState
        title="Root keys could not be loaded"
        error={new ApiRequestError(500, 'INTERNAL', 'The console server failed.')}
      />,
    );
    const note = screen.getByRole('status');
    expect(note).toHaveClass('cds--inline-notification--error');
    expect(note.querySelector('.kh-error-hint')).toBeNull();
  });
});

describe('SummaryRow', () => {
  it('shows its value, a skeleton while loading, or "Not available" when its own load failed', () => {
    const { rerender } = render(
      <SummaryRow label="Version" loading={false} failed={false}>
        1.31.4
      </SummaryRow>,
    );
    expect(screen.getByRole('cell')).toHaveTextContent('1.31.4');
    rerender(
      <SummaryRow label="Version" loading={false} failed>
        1.31.4
      </SummaryRow>,
    );
    expect(screen.getByRole('cell')).toHaveTextContent('Not available');
    rerender(
      <SummaryRow label="Version" loading failed={false}>
        1.31.4
      </SummaryRow>,
    );
    expect(screen.getByRole('cell')).not.toHaveTextContent('1.31.4');
  });
});
