import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';

/** Login attempts allowed per window, per address and per username. */
export interface LoginLimit {
  windowMs: number;
  perAddress: number;
  perUser: number;
}

export const defaultLoginLimit: LoginLimit = { windowMs: 60_000, perAddress: 20, perUser: 5 };

const tooMany = (message: string) => (_req: Request, res: Response) => {
  res.status(429).json({ code: 'TOO_MANY_ATTEMPTS', message });
};

/**
 * Limits on failed logins (guessing passwords), per address and per username; logging in
 * successfully again does not count.
 */
export function loginLimiters(limit: LoginLimit): RequestHandler[] {
  const common = {
    windowMs: limit.windowMs,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
  } as const;
  return [
    rateLimit({
      ...common,
      limit: limit.perAddress,
      handler: tooMany('Too many login attempts from this address. Wait a minute and try again.'),
    }),
    rateLimit({
      ...common,
      limit: limit.perUser,
      keyGenerator: (req) =>
        `user:${String((req.body as { username?: unknown } | undefined)?.username ?? '')
          .toLowerCase()
          .slice(0, 128)}`,
      handler: tooMany('Too many login attempts for this user. Wait a minute and try again.'),
    }),
  ];
}
