// How numbers, times and messages read wherever a user meets them (console, CLI, engine
// messages): counts with thousands separators, every timestamp with its time zone, date-only
// values as the UTC day they were set for, and freshness as the seeds print Master status.

/** "20,000". */
export const count = (n: number): string => n.toLocaleString('en-US');

/** "Nov 30, 2026, 22:18:56 UTC": a point in time, in the reader's zone unless one is given. */
export function dateTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleString('en-US', {
    dateStyle: 'medium',
    timeStyle: 'long',
    hourCycle: 'h23',
    ...(timeZone && { timeZone }),
  });
}

/** "Dec 31, 2026": a day (creation, expiration), which the console sets as a UTC day. */
export const dateOnly = (iso: string): string =>
  new Date(iso).toLocaleDateString('en-US', { dateStyle: 'medium', timeZone: 'UTC' });

/** "1 min ago" style, as the seeds' CLI prints Master status ("Ready (1 min ago)"). */
export function ago(date: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(date).getTime()) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/**
 * A contract's message ("must be …", written to follow a field name in API errors) as a sentence
 * of its own, for a form field.
 */
export function sentence<T extends string | undefined>(message: T): T {
  if (!message) return message;
  const capital = message[0]!.toUpperCase() + message.slice(1);
  return (/[.!?]$/.test(capital) ? capital : `${capital}.`) as T;
}

/**
 * Control characters (C0, DEL, C1) and the bidirectional overrides that reorder a line. What the
 * engine relays from outside (a plug-in's health, a cluster's answer) may carry them, and on a
 * terminal `ESC[2J` clears the screen: they are shown escaped, never sent as they are.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The text with each control character written as `\u001b` (newlines and tabs kept). */
export const printable = (text: string): string =>
  text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ANY_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Whether the text holds no control character at all (newlines and tabs included). */
export const isPlainLine = (text: string): boolean => !ANY_CONTROL.test(text);

/** "1 month", "3 months": a rotation interval. */
export const months = (n: number) => `${n} month${n === 1 ? '' : 's'}`;
