import { LoginGuard, defaultLoginGuardSettings, type LoginGuardSettings } from '@keyhaven/server';

/** Limits on failed logins at the console (tests narrow them); the rest keep their defaults. */
export type LoginLimit = Partial<LoginGuardSettings>;

export const loginGuardFor = (limit: LoginLimit = {}) =>
  new LoginGuard({ ...defaultLoginGuardSettings, ...limit });
