import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import { renderWithProviders } from '../../../test/render.tsx';
import { MasterStatusCell } from './cluster-overview.tsx';

const status = {
  message: 'Ready',
  health: 'normal' as const,
  modifiedDate: '2026-12-07T12:00:00.000Z',
  progress: null,
  revision: 1,
};

describe('Master status while the engine cannot be reached', () => {
  it('tells a connected cluster what it can and cannot do meanwhile', () => {
    renderWithProviders(
      <MasterStatusCell status={status} interrupted connected rootKey={undefined} />,
    );
    expect(screen.getByText('Live status is interrupted')).toBeVisible();
    expect(
      screen.getByText(/running API servers keep creating and reading Secrets/),
    ).toHaveTextContent(
      /restarted meanwhile cannot read or write Secrets until the engine is back/,
    );
  });

  it('says only what it knows of a demo cluster, which has no API server of its own', () => {
    renderWithProviders(
      <MasterStatusCell status={status} interrupted connected={false} rootKey={undefined} />,
    );
    expect(screen.getByText('Live status is interrupted')).toBeVisible();
    expect(screen.queryByText(/running API servers/)).toBeNull();
  });
});
