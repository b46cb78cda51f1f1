import {
  createHash,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import type { Request, Response } from 'express';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { HttpError } from '@keyhaven/server';

export const SESSION_COOKIE = 'kh_session';
export const IDLE_LIMIT_MS = 30 * 60 * 1000;

/** What the encrypted cookie carries; the browser can read none of it. */
export interface SessionData {
  /** The engine's bearer token for this user. */
  token: string;
  tokenExpiresAt: number;
  userId: string;
  csrf: string;
  lastSeen: number;
}

export interface SessionOptions {
  secret: string;
  now?: () => number;
}

/** Decrypted session cookies kept in memory, oldest dropped first. */
const OPENED_MAX = 10_000;

/**
 * Stateless sessions: the cookie is a JWE (dir + A256GCM: encrypted and authenticated) under a key
 * derived from the shared secret, so any BFF replica accepts it. Logout revokes the engine token,
 * which ends the session on every replica.
 */
export class Sessions {
  /** Imported once: jose would otherwise import a raw key into WebCrypto on every request. */
  private readonly key: KeyObject;
  private readonly now: () => number;
  private readonly opened = new Map<string, SessionData>();

  constructor(options: SessionOptions) {
    this.key = createSecretKey(
      createHash('sha256').update('keyhaven session v1\0').update(options.secret).digest(),
    );
    this.now = options.now ?? Date.now;
  }

  newCsrfToken(): string {
    return randomBytes(32).toString('base64url');
  }

  async write(req: Request, res: Response, data: SessionData): Promise<void> {
    const jwe = await new EncryptJWT({ ...data })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(Math.floor(this.now() / 1000))
      .setExpirationTime(Math.floor(data.tokenExpiresAt / 1000))
      .encrypt(this.key);
    res.cookie(SESSION_COOKIE, jwe, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      expires: new Date(data.tokenExpiresAt),
    });
  }

  clear(req: Request, res: Response): void {
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (cookie) this.opened.delete(cookie);
    res.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
    });
  }

  /** The session, or undefined when there is none, it was tampered with, or it expired. */
  async read(req: Request): Promise<SessionData | undefined> {
    const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    if (!cookie) return undefined;
    let data = this.opened.get(cookie);
    if (!data) {
      try {
        const { payload } = await jwtDecrypt(cookie, this.key, {
          currentDate: new Date(this.now()),
        });
        data = payload as unknown as SessionData;
      } catch {
        return undefined;
      }
      // Decrypting is most of a request's cost: remember recent cookies (only their contents,
      // which this process could decrypt again anyway). The limits below are checked every time.
      if (this.opened.size >= OPENED_MAX) this.opened.delete(this.opened.keys().next().value ?? '');
      this.opened.set(cookie, data);
    }
    const now = this.now();
    if (now - data.lastSeen > IDLE_LIMIT_MS || now >= data.tokenExpiresAt) return undefined;
    return data;
  }

  /** The session of a request that must be logged in; refreshes the idle timer. */
  async require(req: Request, res: Response): Promise<SessionData> {
    const data = await this.read(req);
    if (!data) throw new HttpError(401, 'UNAUTHENTICATED', 'Your session has ended. Log in again.');
    // Roll the idle timer at most once a minute. The cookie this request carried is remembered as
    // rolled too: requests already sent with it (a burst, or a client that keeps its cookie) would
    // otherwise each be answered with a newly encrypted one, the costliest thing a request can do.
    if (this.now() - data.lastSeen > 60_000) {
      const rolled = { ...data, lastSeen: this.now() };
      const cookie = (req.cookies as Record<string, string>)[SESSION_COOKIE] ?? '';
      if (this.opened.has(cookie)) this.opened.set(cookie, rolled);
      await this.write(req, res, rolled);
    }
    return data;
  }
}

/** Double-submit check: the header must match the token sealed in the session (constant time). */
export function checkCsrf(req: Request, session: SessionData): void {
  const given = Buffer.from(String(req.headers['x-csrf-token'] ?? ''));
  const expected = Buffer.from(session.csrf);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpError(
      403,
      'CSRF_TOKEN_INVALID',
      'The request is missing its CSRF token. Reload the page and try again.',
    );
  }
}
