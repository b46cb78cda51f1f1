import { ago, dateOnly, dateTime } from '@keyhaven/contracts';
import { useNow } from './use-now.ts';

/*
 * One rule for times in the console: records (activity, creation, expiration) are absolute, and a
 * timestamp always names its time zone; how fresh a live state is (Master status, a plug-in's
 * report) is relative, as the seeds print Master status, with the absolute time in its title.
 */

/** "Nov 30, 2026, 22:18:56 UTC", in the reader's time zone, named. */
export function Timestamp({ iso }: { iso: string }) {
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}

/** "Dec 31, 2026": a day, as set (UTC). */
export function Day({ iso }: { iso: string }) {
  return <time dateTime={iso.slice(0, 10)}>{dateOnly(iso)}</time>;
}

/** "3 min ago", kept current as the clock moves; the timestamp it stands for is its title. */
export function Ago({ iso }: { iso: string }) {
  const now = useNow(15_000);
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {ago(iso, now)}
    </time>
  );
}
