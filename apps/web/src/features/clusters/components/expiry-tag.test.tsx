import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { ExpiryTag } from './cluster-overview.tsx';

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();

describe('ExpiryTag', () => {
  it('flags a root key that expires within 30 days, and one that has expired', () => {
    const { rerender, container } = render(<ExpiryTag expirationDate={inDays(90)} />);
    expect(container).toBeEmptyDOMElement();
    rerender(<ExpiryTag expirationDate={inDays(12.5)} />);
    expect(screen.getByText('Expires in 13 days')).toBeVisible();
    rerender(<ExpiryTag expirationDate={inDays(0.5)} />);
    expect(screen.getByText('Expires in 1 day')).toBeVisible();
    rerender(<ExpiryTag expirationDate={inDays(-2)} />);
    expect(screen.getByText('Expired')).toBeVisible();
  });
});
