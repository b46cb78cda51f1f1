import { describe, expect, it } from 'vitest';
import type { StatusEvent } from '@keyhaven/contracts';
import { currentStatus, liveStatusReducer, type LiveStatus } from './master-status.ts';

const event = (revision: number, over: Partial<StatusEvent> = {}): StatusEvent => ({
  clusterId: 'c1',
  revision,
  masterStatus: 'KMS feature enablement in progress.',
  masterHealth: 'in_progress',
  modifiedDate: '2026-11-23T10:00:00.000Z',
  progress: { done: revision * 100, total: 20_000 },
  keyProtectEnabled: true,
  ...over,
});

describe('live master status', () => {
  it('takes newer events and ignores ones that arrive out of order', () => {
    let state = liveStatusReducer(undefined, event(5), 0);
    state = liveStatusReducer(state, event(7), 0);
    state = liveStatusReducer(state, event(6), 0);
    expect(state.progress).toEqual({ done: 700, total: 20_000 });
    state = liveStatusReducer(
      state,
      event(8, {
        masterStatus: 'Ready',
        masterHealth: 'normal',
        progress: null,
        modifiedDate: '2026-11-23T10:01:00.000Z',
      }),
      0,
    );
    expect(state).toMatchObject({ message: 'Ready', health: 'normal', progress: null });
    expect(state.job).toBeUndefined();
  });

  it('keeps a job’s first progress sample for its rate; a new job starts its own', () => {
    let state = liveStatusReducer(undefined, event(1), 1000);
    state = liveStatusReducer(state, event(3), 2000);
    state = liveStatusReducer(state, event(5), 3000);
    expect(state.job).toEqual({
      total: 20_000,
      first: { at: 1000, done: 100 },
      latest: { at: 3000, done: 500 },
    });
    // Another job (an update right after) has another total, or progress that went back.
    state = liveStatusReducer(state, event(6, { progress: { done: 10, total: 500 } }), 4000);
    expect(state.job?.first).toEqual({ at: 4000, done: 10 });
    state = liveStatusReducer(state, event(7, { progress: { done: 5, total: 500 } }), 5000);
    expect(state.job?.first).toEqual({ at: 5000, done: 5 });
  });

  it('shows a refetched overview that changed after the last streamed event, else the stream', () => {
    const streamedReady: LiveStatus = {
      message: 'Ready',
      health: 'normal',
      modifiedDate: '2026-11-23T09:00:00.000Z',
      progress: null,
      revision: 3,
    };
    const loadedEnabling: LiveStatus = {
      message: 'KMS feature enablement in progress.',
      health: 'in_progress',
      modifiedDate: '2026-11-23T10:00:00.000Z',
      progress: { done: 0, total: 20_000 },
      revision: 0,
    };
    expect(currentStatus(streamedReady, loadedEnabling)).toBe(loadedEnabling);
    const streamedProgress = liveStatusReducer(undefined, event(9), 0);
    expect(currentStatus(streamedProgress, loadedEnabling)).toBe(streamedProgress);
    expect(currentStatus(undefined, loadedEnabling)).toBe(loadedEnabling);
    expect(currentStatus(streamedProgress, undefined)).toBe(streamedProgress);
  });
});
