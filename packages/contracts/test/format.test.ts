import { describe, expect, it } from 'vitest';
import { ago, count, dateOnly, dateTime, isPlainLine, printable, sentence } from '../src/format.ts';

describe('how the console, the CLI and the engine write numbers, times and messages', () => {
  it('writes counts with thousands separators', () => {
    expect(count(20000)).toBe('20,000');
    expect(count(7)).toBe('7');
  });

  it('names the time zone of every timestamp', () => {
    expect(dateTime('2026-11-30T22:18:56.000Z', 'UTC')).toBe('Nov 30, 2026, 22:18:56 UTC');
    expect(dateTime('2026-11-30T23:30:00.000Z', 'Europe/Berlin')).toBe(
      'Dec 1, 2026, 00:30:00 GMT+1',
    );
  });

  it('writes a date-only value as the UTC day it was set for, wherever the reader is', () => {
    // A key set to expire on Dec 31 expires at 23:59:59 UTC that day.
    expect(dateOnly('2026-12-31T23:59:59.000Z')).toBe('Dec 31, 2026');
  });

  it('says how long ago, as the seeds print Master status', () => {
    const now = Date.parse('2026-11-23T10:00:00.000Z');
    expect(ago('2026-11-23T09:59:40.000Z', now)).toBe('just now');
    expect(ago('2026-11-23T09:57:00.000Z', now)).toBe('3 min ago');
    expect(ago('2026-11-23T07:00:00.000Z', now)).toBe('3 h ago');
  });

  it('turns a contract message into a sentence for a form field', () => {
    expect(sentence('must be a lowercase DNS name (a-z, 0-9, "-", ".")')).toBe(
      'Must be a lowercase DNS name (a-z, 0-9, "-", ".").',
    );
    expect(sentence('Already a sentence.')).toBe('Already a sentence.');
    expect(sentence(undefined)).toBeUndefined();
  });

  it('escapes control characters and line-reordering marks, and keeps the rest as it is', () => {
    expect(printable('\u001b[2Jcleared')).toBe('\\u001b[2Jcleared');
    expect(printable('bell\u0007 del\u007f c1\u009b rlo\u202e')).toBe(
      'bell\\u0007 del\\u007f c1\\u009b rlo\\u202e',
    );
    expect(printable('Ready (3 min ago)\nnext line\ttab – ✓')).toBe(
      'Ready (3 min ago)\nnext line\ttab – ✓',
    );
    expect(isPlainLine('root key disabled')).toBe(true);
    expect(isPlainLine('two\nlines')).toBe(false);
    expect(isPlainLine('\u202eevil')).toBe(false);
  });
});
