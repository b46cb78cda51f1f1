import { describe, expect, it } from 'vitest';
import { describeRate, rateAndLeft, timeLeft } from './job-rate.ts';

describe('a re-encryption job’s rate and time left', () => {
  it('is unknown until a second of progress was seen', () => {
    expect(rateAndLeft({ at: 0, done: 0 }, { at: 999, done: 500 }, 1000)).toBeUndefined();
    expect(rateAndLeft({ at: 0, done: 10 }, { at: 5000, done: 10 }, 1000)).toBeUndefined();
  });

  it('divides the secrets done since the first sample by the time taken', () => {
    expect(rateAndLeft({ at: 1000, done: 100 }, { at: 3000, done: 1100 }, 20_000)).toEqual({
      perSecond: 500,
      secondsLeft: 38,
    });
    expect(rateAndLeft({ at: 0, done: 0 }, { at: 3000, done: 10 }, 11)).toEqual({
      perSecond: 10 / 3,
      secondsLeft: 1,
    });
  });

  it('says the time left in the unit a person reads', () => {
    expect(timeLeft(0)).toBe('about 1 s left');
    expect(timeLeft(89)).toBe('about 89 s left');
    expect(timeLeft(90)).toBe('about 2 min left');
    expect(timeLeft(89 * 60)).toBe('about 89 min left');
    expect(timeLeft(90 * 60)).toBe('about 2 h left');
    expect(describeRate({ perSecond: 1234.4, secondsLeft: 30 })).toBe(
      '1,234 secrets/s · about 30 s left',
    );
    expect(describeRate({ perSecond: 2.25, secondsLeft: 400 })).toBe(
      '2.3 secrets/s · about 7 min left',
    );
  });
});
