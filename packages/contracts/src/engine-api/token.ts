import type { TokenResponse } from '../identity.ts';

/** A token that expires within this many seconds is renewed before it is sent. */
export const TOKEN_RENEW_MARGIN_SECONDS = 60;

export interface HeldToken {
  value: string;
  /** Seconds since the epoch, as the token answer's `expiration`. */
  expiration: number;
}

/**
 * Holds an IAM token and renews it before it expires, as every face of Keyhaven that keeps an
 * API key does: one renewal at a time however many calls wait for it, and a token the engine
 * refused can be dropped so the next call renews it.
 */
export class TokenKeeper {
  private pending: Promise<string> | undefined;

  constructor(
    /** Asks the engine for a new token (with the API key the caller keeps). */
    private readonly renew: () => Promise<TokenResponse>,
    private held: HeldToken | undefined = undefined,
    /** Told of each new token, to keep it (the CLI's config file). */
    private readonly onRenewed: (token: HeldToken) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the held token is still good for a call that starts now. */
  private fresh(): boolean {
    return (
      this.held !== undefined &&
      this.held.expiration - TOKEN_RENEW_MARGIN_SECONDS > this.now() / 1000
    );
  }

  async token(): Promise<string> {
    if (this.fresh() && this.held) return this.held.value;
    this.pending ??= this.renew()
      .then((answer) => {
        this.held = { value: answer.access_token, expiration: answer.expiration };
        this.onRenewed(this.held);
        return answer.access_token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Forgets the held token (the engine refused it): the next call renews it. */
  drop(): void {
    this.held = undefined;
  }
}
