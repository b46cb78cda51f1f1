import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { useEffect } from 'react';
import { ToastProvider, useToast } from '../../../shared/ui/toasts.tsx';
import type { LiveStatus } from './master-status.ts';
import { kmsTopic, useJobFinished } from './use-job-finished.ts';

/** Issue 30, walk fault 4: a toast when the job finishes, and "started" does not outlive Ready. */
function Page({ status }: { status: LiveStatus | undefined }) {
  const toast = useToast();
  useEffect(
    () => toast({ kind: 'success', title: 'Update started', topic: kmsTopic('c1') }),
    [toast],
  );
  useJobFinished('c1', 'dev-us-east', 'cluster-root-key-2', status);
  return null;
}

const status = (over: Partial<LiveStatus>): LiveStatus => ({
  message: 'KMS feature enablement in progress.',
  health: 'in_progress',
  modifiedDate: '2026-12-07T10:00:00.000Z',
  progress: { done: 10, total: 100 },
  revision: 1,
  ...over,
});

describe('useJobFinished', () => {
  it('replaces the started toast with Ready when the job it watched ends', () => {
    const view = render(
      <ToastProvider>
        <Page status={status({})} />
      </ToastProvider>,
    );
    expect(screen.getByText('Update started')).toBeVisible();
    act(() =>
      view.rerender(
        <ToastProvider>
          <Page status={status({ message: 'Ready', health: 'normal', progress: null })} />
        </ToastProvider>,
      ),
    );
    expect(screen.getByText('dev-us-east is Ready')).toBeVisible();
    expect(
      screen.getByText('Every secret is encrypted under root key cluster-root-key-2.'),
    ).toBeVisible();
    expect(screen.queryByText('Update started')).toBeNull();
  });

  it('says nothing for a cluster that was not re-encrypting, and names a stopped job', () => {
    const view = render(
      <ToastProvider>
        <Page status={status({ message: 'Ready', health: 'normal', progress: null })} />
      </ToastProvider>,
    );
    expect(screen.queryByText(/is Ready/)).toBeNull();
    act(() =>
      view.rerender(
        <ToastProvider>
          <Page status={status({})} />
        </ToastProvider>,
      ),
    );
    act(() =>
      view.rerender(
        <ToastProvider>
          <Page
            status={status({
              message: 'Root key cluster-root-key-2 is disabled.',
              health: 'warning',
              progress: null,
            })}
          />
        </ToastProvider>,
      ),
    );
    expect(screen.getByText('The re-encryption of dev-us-east stopped')).toBeVisible();
  });
});
