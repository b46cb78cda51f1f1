import { describe, expect, it } from 'vitest';
import { TOKEN_RENEW_MARGIN_SECONDS, TokenKeeper, type HeldToken } from '../src/index.ts';

const answer = (value: string, expiration: number) => ({
  access_token: value,
  token_type: 'Bearer' as const,
  expires_in: 3600,
  expiration,
});

describe('TokenKeeper', () => {
  it('keeps a token until the renewal margin, then renews it once for every waiting call', async () => {
    let now = 1_000_000_000;
    let renewals = 0;
    const kept: HeldToken[] = [];
    const keeper = new TokenKeeper(
      async () => answer(`t${++renewals}`, now / 1000 + 3600),
      { value: 't0', expiration: now / 1000 + TOKEN_RENEW_MARGIN_SECONDS + 1 },
      (t) => kept.push(t),
      () => now,
    );
    expect(await keeper.token()).toBe('t0');
    now += 1000;
    // Within the margin now: three calls at once share one renewal.
    expect(await Promise.all([keeper.token(), keeper.token(), keeper.token()])).toEqual([
      't1',
      't1',
      't1',
    ]);
    expect(renewals).toBe(1);
    expect(kept).toEqual([{ value: 't1', expiration: now / 1000 + 3600 }]);
    expect(await keeper.token()).toBe('t1');
    keeper.drop();
    expect(await keeper.token()).toBe('t2');
  });

  it('renews without a token held, and a failed renewal is tried again by the next call', async () => {
    let fail = true;
    const keeper = new TokenKeeper(async () => {
      if (fail) throw new Error('engine down');
      return answer('fresh', Date.now() / 1000 + 3600);
    });
    await expect(keeper.token()).rejects.toThrow('engine down');
    fail = false;
    expect(await keeper.token()).toBe('fresh');
  });
});
