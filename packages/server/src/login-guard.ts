/** How many failed logins are tolerated, per window, before a login is refused unchecked. */
export interface LoginGuardSettings {
  windowMs: number;
  /** Failures for one user from one address: a guesser at one place stops here. */
  perUserAndAddress: number;
  /**
   * Failures for one user from all addresses but those the user logged in from before: a guesser
   * spread over many addresses stops here, and the user, from a known address, still gets in.
   */
  perUser: number;
  /** Failures from one address for any users (spraying unknown names costs a hash each). */
  perAddress: number;
  /** How long an address the user logged in from stays known. */
  knownForMs: number;
}

export const defaultLoginGuardSettings: LoginGuardSettings = {
  windowMs: 15 * 60_000,
  perUserAndAddress: 5,
  perUser: 10,
  perAddress: 20,
  knownForMs: 30 * 24 * 3600_000,
};

/** How a password check ended: the right password, a wrong one, or no answer (store down). */
export type LoginOutcome = 'success' | 'failure' | 'void';

export type LoginVerdict =
  | { allowed: true; done: (outcome: LoginOutcome) => void }
  | { allowed: false; message: string; retryAfterSeconds: number };

/** Most entries kept: the oldest go first, so a flood of names cannot grow memory without bound. */
const MAX_ENTRIES = 100_000;

/**
 * Rate limits for password checks that a stranger cannot use to lock a user out: failures count
 * per user and address, per user (except from addresses the user logged in from), and per
 * address. An attempt counts as a failure from the moment it starts, so a burst in parallel is
 * cut off as early as one in a row; a success takes it back.
 */
export class LoginGuard {
  private readonly failures = new Map<string, number[]>();
  private readonly known = new Map<string, number>();

  constructor(
    private readonly settings: LoginGuardSettings = defaultLoginGuardSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a password check for the user from the address may run now. */
  attempt(username: string, address: string): LoginVerdict {
    const now = this.now();
    const s = this.settings;
    const keys = {
      pair: `p:${username}\u0000${address}`,
      user: `u:${username}`,
      address: `a:${address}`,
    };
    const knownAddress = (this.known.get(keys.pair) ?? 0) > now - s.knownForMs;
    // From an address the user logged in from before, only that pair's own failures count: guesses
    // elsewhere, or for other names from a shared address (NAT), do not lock the user out.
    const limits: [string, number, string][] = [
      [keys.pair, s.perUserAndAddress, 'Too many failed logins for this user from this address.'],
    ];
    if (!knownAddress)
      limits.push(
        [keys.address, s.perAddress, 'Too many failed logins from this address.'],
        [keys.user, s.perUser, 'Too many failed logins for this user.'],
      );
    for (const [key, limit, message] of limits) {
      const recent = this.recent(key, now);
      if (recent.length >= limit) {
        const retryAfterSeconds = Math.max(
          1,
          Math.ceil(((recent[0] ?? now) + s.windowMs - now) / 1000),
        );
        return {
          allowed: false,
          message: `${message} Try again in ${Math.ceil(retryAfterSeconds / 60)} min.`,
          retryAfterSeconds,
        };
      }
    }
    const counted = [keys.address, keys.pair, keys.user];
    for (const key of counted) this.add(key, now);
    let settled = false;
    return {
      allowed: true,
      done: (outcome) => {
        if (settled || outcome === 'failure') return;
        settled = true;
        for (const key of counted) this.remove(key, now);
        if (outcome === 'void') return;
        this.known.delete(keys.pair);
        this.known.set(keys.pair, this.now());
        this.trim(this.known);
      },
    };
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - this.settings.windowMs);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }

  private add(key: string, at: number) {
    const times = this.failures.get(key) ?? [];
    times.push(at);
    this.failures.delete(key);
    this.failures.set(key, times);
    this.trim(this.failures);
  }

  private remove(key: string, at: number) {
    const times = this.failures.get(key);
    const index = times?.lastIndexOf(at) ?? -1;
    if (times && index >= 0) times.splice(index, 1);
  }

  private trim(map: Map<string, unknown>) {
    while (map.size > MAX_ENTRIES) {
      const oldest = map.keys().next().value;
      if (oldest === undefined) return;
      map.delete(oldest);
    }
  }
}
