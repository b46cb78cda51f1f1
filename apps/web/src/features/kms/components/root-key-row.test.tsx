import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Table, TableBody } from '@carbon/react';
import { MemoryRouter } from 'react-router';
import { KeyState, type ServiceRole } from '@keyhaven/contracts';
import { rootKeyOf } from '../../../test/fixtures.ts';
import { RootKeyRow, type RootKeyRowProps } from './root-key-row.tsx';

const key = rootKeyOf({ state: KeyState.Suspended });

/** One row in a table, as the page renders it. */
const renderRow = (props: Partial<RootKeyRowProps> = {}) =>
  render(
    <MemoryRouter>
      <Table>
        <TableBody>
          <RootKeyRow
            rootKey={key}
            now={Date.now()}
            needs={() => undefined}
            onAction={vi.fn()}
            onPolicy={vi.fn()}
            onDelete={vi.fn()}
            {...props}
          />
        </TableBody>
      </Table>
    </MemoryRouter>,
  );

async function menuFor(needs: (role: ServiceRole) => string | undefined) {
  renderRow({ needs });
  await userEvent.click(screen.getByRole('button', { name: 'Actions for cluster-root-key-1' }));
  await screen.findByText(/^Rotate/);
  return screen.getAllByRole('menuitem', { hidden: true }).map((item) => item.textContent);
}

describe('a root key’s actions say why they are disabled, in their text', () => {
  it('links the key’s name to its own page', () => {
    renderRow();
    expect(screen.getByRole('link', { name: 'cluster-root-key-1' })).toHaveAttribute(
      'href',
      `/kms/${key.instanceId}/keys/${key.id}`,
    );
  });

  it('names the missing role and the key’s state', async () => {
    const items = await menuFor((role) =>
      role === 'Reader' ? undefined : `Needs the ${role} role`,
    );
    expect(items).toEqual([
      'Rotate (needs Writer)',
      'Enable (needs Manager)',
      'Policies (needs Manager)',
      'Delete (needs Manager)',
    ]);
  });

  it('says nothing more when the user may act', async () => {
    const items = await menuFor(() => undefined);
    expect(items).toEqual(['Rotate (the key is not active)', 'Enable', 'Policies', 'Delete']);
  });

  it('marks the key just created, and only that one', () => {
    const row = (isNew: boolean) => renderRow({ isNew });
    const fresh = row(true);
    expect(screen.getByRole('row')).toHaveTextContent('cluster-root-key-1 New');
    fresh.unmount();
    row(false);
    expect(screen.getByRole('row')).not.toHaveTextContent('New');
  });

  it('names the key’s aliases under its name', () => {
    renderRow({ rootKey: { ...key, aliases: ['payments-root', 'billing'] } });
    expect(screen.getByRole('row')).toHaveTextContent(
      'cluster-root-key-1Aliases: payments-root, billing',
    );
  });

  it('marks an imported key, which rotates only with new material', async () => {
    renderRow({ rootKey: { ...key, state: KeyState.Active, imported: true } });
    expect(screen.getByRole('row')).toHaveTextContent('cluster-root-key-1 Imported');
    expect(screen.getByRole('row')).toHaveTextContent('Import new material');
    await userEvent.click(screen.getByRole('button', { name: 'Actions for cluster-root-key-1' }));
    const rotate = await screen.findByText(/^Rotate/);
    expect(rotate).toHaveTextContent('Rotate (imported: import new material as a new key)');
    expect(rotate.closest('button')).toBeDisabled();
  });

  it('calls a deleted key Deleted, as the action that did it, and writes its expiry as a day', () => {
    renderRow({
      rootKey: { ...key, state: KeyState.Destroyed, expirationDate: '2026-12-31T23:59:59Z' },
    });
    expect(screen.getByRole('row')).toHaveTextContent('cluster-root-key-1k1Deleted1Dec 31, 2026');
    expect(screen.getByRole('row')).toHaveTextContent('By hand');
  });

  it('shows the next rotation by policy as a day, or By hand without one', async () => {
    const onPolicy = vi.fn();
    renderRow({
      rootKey: {
        ...key,
        state: KeyState.Active,
        nextRotationDate: '2027-03-01T10:00:00.000Z',
        rotationPolicy: { enabled: true, intervalMonth: 3 },
      },
      onPolicy,
    });
    expect(screen.getByRole('row')).toHaveTextContent('Mar 1, 2027');
    await userEvent.click(screen.getByRole('button', { name: 'Actions for cluster-root-key-1' }));
    await userEvent.click(await screen.findByText('Policies'));
    expect(onPolicy).toHaveBeenCalledOnce();
  });
});
