import { act, screen } from '@testing-library/react';
import { QueryClient } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatusEvent } from '@keyhaven/contracts';
import { FakeEventSource } from '../../../test/fake-event-source.ts';
import { renderWithProviders } from '../../../test/render.tsx';
import { useMasterStatus } from './use-master-status.ts';

const event = (revision: number, masterStatus: string, health: StatusEvent['masterHealth']) => ({
  clusterId: 'c-1',
  revision,
  masterStatus,
  masterHealth: health,
  modifiedDate: new Date(Date.UTC(2026, 10, 24, 0, 0, revision)).toISOString(),
  progress: null,
  keyProtectEnabled: true,
});

function Probe() {
  const { status } = useMasterStatus('c-1', undefined);
  return <p>{status?.message ?? 'no status'}</p>;
}

describe('useMasterStatus', () => {
  beforeEach(() => {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('resynchronizes the overview on every (re)connection and applies the events after a drop', async () => {
    const invalidate = vi.spyOn(QueryClient.prototype, 'invalidateQueries');
    const { unmount } = renderWithProviders(<Probe />);
    const source = FakeEventSource.instances[0];
    expect(source?.url).toBe('/api/clusters/c-1/events');
    act(() => source?.emit('open'));
    act(() => source?.emit('status', event(1, 'Ready', 'normal')));
    expect(screen.getByText('Ready')).toBeInTheDocument();
    const overviewRefreshes = () =>
      invalidate.mock.calls.filter(([filters]) =>
        JSON.stringify(filters?.queryKey).includes('overview'),
      ).length;
    expect(overviewRefreshes()).toBe(1);

    // The connection drops; the browser reconnects by itself and the stream opens again.
    act(() => source?.emit('error'));
    act(() => source?.emit('open'));
    expect(overviewRefreshes()).toBe(2);
    act(() => source?.emit('status', event(5, 'Root key k is disabled.', 'warning')));
    expect(screen.getByText('Root key k is disabled.')).toBeInTheDocument();

    unmount();
    expect(source?.closed).toBe(true);
    invalidate.mockRestore();
  });
});
