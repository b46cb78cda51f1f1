import { describe, expect, it } from 'vitest';
import { render, screen, within } from '@testing-library/react';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ActivityEntry } from '@keyhaven/contracts';
import { ActivityTable } from './activity-table.tsx';

const entry = (over: Partial<ActivityEntry>): ActivityEntry => ({
  id: over.message ?? 'e',
  at: '2026-12-07T10:00:00.000Z',
  actor: 'admin',
  action: 'key.enable',
  target: { kind: 'cluster', id: 'c1' },
  result: 'success',
  message: 'm',
  ...over,
});

describe('ActivityTable', () => {
  it('tags what a key change did to a cluster as a warning, not a success', () => {
    const data = [
      entry({ action: 'key.disable', message: 'Root key k was disabled: secrets cannot be read.' }),
      entry({ action: 'key.disable', target: { kind: 'key', id: 'k' }, message: 'Disabled k.' }),
      entry({ action: 'kms.ready', message: 'Ready.' }),
      entry({ action: 'kms.paused', result: 'failure', message: 'Paused.' }),
    ];
    render(
      <ActivityTable
        activity={{ data, isError: false, isPending: false } as UseQueryResult<ActivityEntry[]>}
        empty="none"
      />,
    );
    const tagOf = (message: string) =>
      within(screen.getByRole('row', { name: new RegExp(message) })).getAllByRole('cell')[3]
        ?.textContent;
    expect(tagOf('secrets cannot be read')).toBe('Warning');
    expect(tagOf('Disabled k')).toBe('Succeeded');
    expect(tagOf('Ready')).toBe('Succeeded');
    expect(tagOf('Paused')).toBe('Failed');
  });
});
