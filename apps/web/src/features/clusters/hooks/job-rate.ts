import { count } from '@keyhaven/contracts';

/** How far a re-encryption job was at a moment. */
export interface ProgressSample {
  at: number;
  done: number;
}

/**
 * The job's rate since its first sample seen here, and the time left at that rate; undefined until
 * a second's worth of progress was seen (a rate from one event would be noise).
 */
export function rateAndLeft(
  first: ProgressSample,
  latest: ProgressSample,
  total: number,
): { perSecond: number; secondsLeft: number } | undefined {
  const seconds = (latest.at - first.at) / 1000;
  const done = latest.done - first.done;
  if (seconds < 1 || done <= 0) return undefined;
  const perSecond = done / seconds;
  return { perSecond, secondsLeft: Math.ceil(Math.max(0, total - latest.done) / perSecond) };
}

/** "about 40 s left", "about 3 min left", "about 2 h left". */
export function timeLeft(seconds: number): string {
  if (seconds < 90) return `about ${Math.max(1, seconds)} s left`;
  if (seconds < 90 * 60) return `about ${Math.round(seconds / 60)} min left`;
  return `about ${Math.round(seconds / 3600)} h left`;
}

/** "850 secrets/s · about 22 s left" while a job runs, once its rate is known. */
export function describeRate(rate: { perSecond: number; secondsLeft: number }): string {
  const perSecond =
    rate.perSecond >= 10 ? count(Math.round(rate.perSecond)) : rate.perSecond.toFixed(1);
  return `${perSecond} secrets/s · ${timeLeft(rate.secondsLeft)}`;
}
