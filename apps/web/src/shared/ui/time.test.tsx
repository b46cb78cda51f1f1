import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { Ago, Day, Timestamp } from './time.tsx';

afterEach(() => vi.useRealTimers());

describe('times in the console', () => {
  it('names the time zone of a timestamp and keeps the machine-readable time', () => {
    render(<Timestamp iso="2026-11-30T22:18:56.000Z" />);
    // In the reader's zone, whichever that is, and named.
    const time = screen.getByText(/^(Nov 30|Dec 1), 2026, \d\d:\d\d:56 \S+$/);
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('dateTime', '2026-11-30T22:18:56.000Z');
    expect(time.textContent).toMatch(/ ([A-Z]{2,5}|GMT[+-][\d:]+)$/);
  });

  it('writes a day as the UTC day it was set for', () => {
    render(<Day iso="2026-12-31T23:59:59.000Z" />);
    expect(screen.getByText('Dec 31, 2026')).toHaveAttribute('dateTime', '2026-12-31');
  });

  it('keeps “how long ago” current while the page stays open, with the timestamp in its title', () => {
    vi.useFakeTimers({ now: Date.parse('2026-11-30T22:19:00.000Z') });
    render(<Ago iso="2026-11-30T22:18:56.000Z" />);
    const time = screen.getByText('just now');
    expect(time.getAttribute('title')).toMatch(/, 2026, \d\d:\d\d:56 /);
    act(() => vi.advanceTimersByTime(3 * 60_000));
    expect(time).toHaveTextContent('3 min ago');
  });
});
